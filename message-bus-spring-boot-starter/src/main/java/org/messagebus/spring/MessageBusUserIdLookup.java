// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Finds the user of a polling web client, for messages published with {@code userIds}. Declare one
 * as a bean and the auto-configured HTTP endpoint uses it ({@code
 * HttpTransportOptions.Builder.userIdLookup}).
 *
 * <pre>{@code
 * @Bean
 * MessageBusUserIdLookup userIdLookup() {
 *   return request -> request.getUserPrincipal() == null ? null : request.getUserPrincipal().getName();
 * }
 * }</pre>
 */
@FunctionalInterface
public interface MessageBusUserIdLookup {

  /**
   * Returns the user id of the request.
   *
   * @param request the poll, on the request thread (after the application's security filters)
   * @return a number or a string; null for an anonymous client
   */
  Object userId(HttpServletRequest request);
}
