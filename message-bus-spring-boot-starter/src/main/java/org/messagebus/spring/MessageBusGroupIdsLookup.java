// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;

/**
 * Finds the groups of a polling web client, for messages published with {@code groupIds}. Declare
 * one as a bean and the auto-configured HTTP endpoint uses it.
 */
@FunctionalInterface
public interface MessageBusGroupIdsLookup {

  /**
   * Returns the group ids of the request.
   *
   * @param request the poll, on the request thread
   * @return numbers or strings; null or empty for none
   */
  List<?> groupIds(HttpServletRequest request);
}
