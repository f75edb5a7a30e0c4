// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.util.Objects;

/**
 * A message validated and encoded by {@link org.messagebus.MessageBus#prepare} exactly as {@link
 * org.messagebus.MessageBus#publish} would hand it to {@link Backend#publish}, but not stored: for
 * backends that can publish on a connection or transaction of the caller's.
 *
 * @param channel the encoded channel (with site suffix)
 * @param payload the encoded envelope
 * @param options the per-publish overrides
 */
public record PreparedPublish(String channel, String payload, BackendPublishOptions options) {

  /**
   * Validates the components.
   *
   * @param channel see the record component
   * @param payload see the record component
   * @param options see the record component
   * @throws NullPointerException if a component is null
   */
  public PreparedPublish {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
  }
}
