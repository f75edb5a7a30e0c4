// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.messagebus.servlet.HttpTransportOptions;

/**
 * Adjusts the {@link HttpTransportOptions.Builder} of the auto-configured HTTP endpoint after the
 * {@code message-bus.http.*} properties and the lookup beans were applied. Every bean of this type
 * is applied, in {@link org.springframework.core.annotation.Order} order.
 */
@FunctionalInterface
public interface HttpTransportOptionsCustomizer {

  /**
   * Customises the builder.
   *
   * @param builder the builder
   */
  void customize(HttpTransportOptions.Builder builder);
}
