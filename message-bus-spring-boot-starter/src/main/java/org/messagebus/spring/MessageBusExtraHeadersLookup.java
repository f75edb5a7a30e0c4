// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;

/**
 * Adds headers to every poll and preflight response of the HTTP endpoint, e.g. CORS headers.
 * Declare one as a bean and the auto-configured HTTP endpoint uses it.
 */
@FunctionalInterface
public interface MessageBusExtraHeadersLookup {

  /**
   * Returns the extra headers for the response to a request.
   *
   * @param request the poll or preflight, on the request thread
   * @return header names and values; null for none
   */
  Map<String, String> extraHeaders(HttpServletRequest request);
}
