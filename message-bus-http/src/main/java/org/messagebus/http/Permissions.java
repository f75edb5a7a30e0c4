// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.messagebus.Message;
import org.messagebus.MessageBus;

/**
 * Whether a web client may receive a message (SPEC §5.3, the semantics of Ruby 3.0+): the client id
 * must be listed when client ids are given; then the user must be listed or one of the groups must
 * match, unless neither users nor groups are given; then every client message filter must pass. Ids
 * compare with their JSON types.
 */
final class Permissions {

  private Permissions() {}

  static boolean allowed(MessageBus bus, Client client, Message m) {
    return targets(client, m) && bus.passesClientMessageFilters(m);
  }

  /**
   * The same check for a live push: the client message filters do not depend on the client, so they
   * are asked once per message, and an untargeted message needs no per-client work.
   */
  static boolean allowed(Client client, Push push) {
    if (push.targeted && !targets(client, push.message)) {
      return false;
    }
    return push.passesFilters();
  }

  /** Whether a message's user, group and client-id targeting admits the client. */
  static boolean targets(Client client, Message m) {
    List<Object> clientIds = m.clientIds();
    if (!clientIds.isEmpty() && !clientIds.contains(client.id)) {
      return false;
    }
    boolean hasUsers = !m.userIds().isEmpty();
    boolean hasGroups = !m.groupIds().isEmpty();
    if (hasUsers || hasGroups) {
      boolean userOk = hasUsers && containsId(m.userIds(), client.userId);
      boolean groupOk = false;
      if (hasGroups && !userOk) {
        for (Object g : client.groupIds) {
          if (containsId(m.groupIds(), g)) {
            groupOk = true;
            break;
          }
        }
      }
      return userOk || groupOk;
    }
    return true;
  }

  private static boolean containsId(List<Object> ids, @Nullable Object id) {
    for (Object candidate : ids) {
      if (java.util.Objects.equals(candidate, id)) {
        return true;
      }
    }
    return false;
  }

  /** Integers of any boxing compare equal after a JSON round trip, so hold them as Long. */
  static Object normalizeId(Object id) {
    if (id instanceof Integer || id instanceof Short || id instanceof Byte) {
      return ((Number) id).longValue();
    }
    return id;
  }
}
