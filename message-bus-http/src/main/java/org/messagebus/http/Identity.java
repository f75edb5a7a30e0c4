// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;

/**
 * Who a request of a subscriber comes from, as the identity lookups of {@link EngineOptions} tell
 * it: the user (normalised), the groups, the site, and the key its held connections count against
 * ({@link HeldPollLimits}). Polls, event streams and WebSocket upgrades read it the same way, on
 * the thread that received the request (the lookups may read thread-bound state).
 */
record Identity(
    @Nullable Object userId, List<Object> groupIds, @Nullable String siteId, String limitKey) {

  /**
   * Runs the lookups on a request.
   *
   * @throws RuntimeException whatever a lookup throws (the caller maps it to a status)
   */
  static Identity of(
      HttpRequestView req, EngineOptions options, MessageBus bus, HeldPollLimits limits) {
    Object userId =
        options.userIdLookup() == null
            ? null
            : Permissions.normalizeId(options.userIdLookup().apply(req));
    List<Object> groupIds = new ArrayList<>();
    if (options.groupIdsLookup() != null) {
      List<?> groups = options.groupIdsLookup().apply(req);
      if (groups != null) {
        groups.forEach(g -> groupIds.add(Permissions.normalizeId(g)));
      }
    }
    String siteId =
        options.siteIdLookup() != null ? options.siteIdLookup().apply(req) : bus.currentSiteId();
    return new Identity(userId, groupIds, siteId, limits.identityOf(req, userId));
  }

  /** A client of this identity with the given id, sequence number and subscriptions. */
  @SuppressWarnings("NonApiType") // the channels' order is the client's
  Client client(
      String clientId, long seq, LinkedHashMap<String, Long> channels, ObjectMapper json) {
    return new Client(clientId, userId, groupIds, siteId, seq, channels, json);
  }
}
