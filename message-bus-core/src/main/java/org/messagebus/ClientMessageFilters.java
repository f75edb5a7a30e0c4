// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.List;
import java.util.ListIterator;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The client message filters of a bus (SPEC §2.7): registered per channel prefix, asked newest
 * first by the HTTP transport before it hands a message to a web client. Filters are only ever
 * added, so reads iterate the copy-on-write list without copying or locking. Thread-safe.
 */
final class ClientMessageFilters {

  private final CopyOnWriteArrayList<ClientMessageFilterRegistration> filters =
      new CopyOnWriteArrayList<>();

  /** Adds a filter; a null filter adds nothing. */
  void register(String prefix, @Nullable ClientMessageFilter filter) {
    if (prefix == null) {
      throw new IllegalArgumentException("prefix must not be null");
    }
    if (filter != null) {
      filters.add(new ClientMessageFilterRegistration(prefix, filter));
    }
  }

  /** The registrations, oldest first. */
  List<ClientMessageFilterRegistration> snapshot() {
    return List.copyOf(filters);
  }

  /** Whether every filter whose prefix the message's channel starts with allows it. */
  boolean allow(Message message) {
    if (filters.isEmpty()) {
      return true;
    }
    ListIterator<ClientMessageFilterRegistration> it = filters.listIterator(filters.size());
    while (it.hasPrevious()) {
      ClientMessageFilterRegistration r = it.previous();
      if (message.channel().startsWith(r.prefix()) && !r.filter().allow(message)) {
        return false;
      }
    }
    return true;
  }
}
