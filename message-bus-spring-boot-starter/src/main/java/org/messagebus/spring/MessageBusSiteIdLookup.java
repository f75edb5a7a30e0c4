// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Finds the site (tenant) of a polling web client. Declare one as a bean and the auto-configured
 * HTTP endpoint uses it; without one, the bus's own site lookup applies (set it with a {@link
 * MessageBusBuilderCustomizer}).
 */
@FunctionalInterface
public interface MessageBusSiteIdLookup {

  /**
   * Returns the site id of the request.
   *
   * @param request the poll, on the request thread
   * @return the site id
   */
  String siteId(HttpServletRequest request);
}
