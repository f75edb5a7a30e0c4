// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.Message;
import org.messagebus.MessageBus;

/** Registration, replacement and pruning of held polls (SPEC §5.1, §10.5). */
class ConnectionManagerTest {

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final ConnectionManager manager = new ConnectionManager(bus);

  @AfterEach
  void close() {
    bus.close();
  }

  private static Client client(String id, String site, long seq, String... channels) {
    LinkedHashMap<String, Long> subs = new LinkedHashMap<>();
    for (String c : channels) {
      subs.put(c, 0L);
    }
    return new Client(id, null, List.of(), site, seq, subs, null);
  }

  @Test
  void lookup_returnsTheRegisteredClient() {
    Client c = client("a", null, 1, "/foo");
    manager.add(c);

    assertThat(manager.lookup("a")).isSameAs(c);
  }

  @Test
  void lowerSeq_isRejected_andCannotUnregisterTheActiveClient() {
    Client active = client("a", null, 2, "/foo");
    Client late = client("a", null, 1, "/foo");

    assertThat(manager.add(active)).isTrue();
    assertThat(manager.add(late)).isFalse();
    manager.remove(late);

    assertThat(manager.lookup("a")).isSameAs(active);
  }

  @Test
  void equalOrHigherSeq_replacesThePreviousClient() {
    Client first = client("a", null, 2, "/foo");
    Client second = client("a", null, 2, "/foo");
    manager.add(first);

    assertThat(manager.add(second)).isTrue();
    manager.remove(first);

    assertThat(manager.lookup("a")).isSameAs(second);
    assertThat(manager.clientCount()).isEqualTo(1);
  }

  @Test
  void removing_prunesEmptyChannelSetsAndSites() {
    Client a = client("a", "s1", 1, "/foo", "/bar");
    Client b = client("b", "s2", 1, "/foo");
    manager.add(a);
    manager.add(b);
    assertThat(manager.indexedSites()).isEqualTo(2);

    manager.remove(a);
    manager.remove(b);

    assertThat(manager.indexedSites()).isZero();
    assertThat(manager.clientCount()).isZero();
  }

  @Test
  void concurrentRegistrationsAndNotifications_complete() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String id = "c" + i;
        work.add(pool.submit(() -> manager.add(client(id, null, 1, "/foo"))));
        long n = i;
        work.add(
            pool.submit(
                () -> manager.notify(new Message(n, n, "/foo", "x", null, null, null, null))));
      }
      for (Future<?> w : work) {
        w.get();
      }
      assertThat(manager.clientCount()).isEqualTo(10);
    } finally {
      pool.shutdownNow();
    }
  }
}
