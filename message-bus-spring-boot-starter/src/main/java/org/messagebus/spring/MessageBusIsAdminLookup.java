// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Tells whether a request comes from an administrator: only they may open the diagnostics page and
 * its routes under {@code message-bus/_diagnostics}. Declare one as a bean and the auto-configured
 * HTTP endpoint uses it; without one, diagnostics are refused (403).
 */
@FunctionalInterface
public interface MessageBusIsAdminLookup {

  /**
   * Returns whether the request's user is an administrator.
   *
   * @param request the request, on the request thread
   * @return true for an administrator
   */
  boolean isAdmin(HttpServletRequest request);
}
