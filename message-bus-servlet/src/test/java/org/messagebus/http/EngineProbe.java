// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.messagebus.Message;
import org.messagebus.MessageBus;

/**
 * Test access to the engine's held polls from the adapter's tests (same package name on the test
 * class path; the engine's internals stay package-private).
 */
public final class EngineProbe {

  private EngineProbe() {}

  /** One poll of the engine. */
  public static final class Poll {
    private final Client client;

    private Poll(Client client) {
      this.client = client;
    }

    public List<Message> backlog(MessageBus bus) {
      return client.backlog(bus);
    }

    public Map<String, Long> subscriptions() {
      return client.subscriptions;
    }

    public Map<String, Long> positionsAfter(List<Message> backlog) {
      return client.positionsAfter(backlog);
    }

    public boolean isClosed() {
      return client.isClosed();
    }

    /** Offers a live message; true when the poll is finished afterwards (took nothing). */
    public boolean offer(Message m, MessageBus bus) {
      return client.offer(new Push(m, null, bus));
    }

    public void close() {
      client.close();
    }
  }

  /** A poll that is not held (for backlog computations). */
  public static Poll poll(String id, LinkedHashMap<String, Long> subs, ObjectMapper json) {
    return new Poll(new Client(id, null, List.of(), null, 1, subs, json));
  }

  /** The held poll of a client id, or null. */
  public static Poll held(HttpEngine engine, String clientId) {
    Client c = engine.connectionManager().lookup(clientId);
    return c == null ? null : new Poll(c);
  }

  public static int indexedSites(HttpEngine engine) {
    return engine.connectionManager().indexedSites();
  }
}
