// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.Objects;

/**
 * A {@link ClientMessageFilter} registered for a channel prefix with {@link
 * MessageBus#registerClientMessageFilter}.
 *
 * @param prefix the filter applies to every channel starting with this text
 * @param filter the filter
 */
public record ClientMessageFilterRegistration(String prefix, ClientMessageFilter filter) {

  /**
   * Validates the components.
   *
   * @param prefix see the record component
   * @param filter see the record component
   * @throws NullPointerException if either is null
   */
  public ClientMessageFilterRegistration {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(filter, "filter");
  }
}
