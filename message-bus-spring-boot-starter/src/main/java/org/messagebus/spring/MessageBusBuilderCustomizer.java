// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.messagebus.MessageBus;

/**
 * Adjusts the {@link MessageBus.Builder} of the auto-configured bus after the properties were
 * applied, e.g. to set a site id lookup or a clock. Every bean of this type is applied, in {@link
 * org.springframework.core.annotation.Order} order.
 *
 * <pre>{@code
 * @Bean
 * MessageBusBuilderCustomizer multisite(TenantContext tenants) {
 *   return builder -> builder.siteIdLookup(tenants::currentTenant);
 * }
 * }</pre>
 */
@FunctionalInterface
public interface MessageBusBuilderCustomizer {

  /**
   * Customises the builder.
   *
   * @param builder the builder, with the backend and the {@code message-bus.*} properties set
   */
  void customize(MessageBus.Builder builder);
}
