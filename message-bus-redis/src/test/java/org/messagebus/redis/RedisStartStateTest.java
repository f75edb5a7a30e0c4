// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.BackendState;
import org.messagebus.BackendStateListener;
import org.messagebus.Message;
import org.messagebus.MessageBus;

/**
 * The connection state a Redis backend reports while it starts, and reconnects, on a healthy Redis
 * (the shared one, which stays up throughout): it must never pass through {@link
 * BackendState#DISCONNECTED}. Each such report is a false alarm: the bus logs a WARN that the store
 * cannot be reached, and a health check or a gauge of the state flaps.
 *
 * <p>A bus's first subscription makes two threads use the backend at once (the subscribing thread
 * reads the newest global id, and so does the bus's background thread as it starts the firehose).
 * Each used to open a command connection, and the one that came second closed its own; that
 * deliberate close was reported as a lost connection ("lost the connection to Redis"), at nearly
 * every start; so was the close of the old connection by {@code reconnect()}. (The threads now
 * share one connection attempt: RedisConnectOnceTest.) A real outage is still reported
 * (RedisOutageTest).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisStartStateTest {

  private static final int DB = RedisTestSupport.DB_START_STATE;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String CHANNEL = "/start";

  /** Several starts: the race between the two threads is likely at each one, not certain. */
  private static final int STARTS = 5;

  @BeforeAll
  static void cleanDatabase() {
    RedisTestSupport.requireRedis();
    RedisTestSupport.flushDb(DB);
  }

  @AfterAll
  static void cleanUp() {
    RedisTestSupport.flushDb(DB);
  }

  /** Every state a backend reports, with its cause, in order. */
  private static final class States implements BackendStateListener {
    final List<BackendState> seen = new CopyOnWriteArrayList<>();
    final List<String> disconnections = new CopyOnWriteArrayList<>();

    @Override
    public void onBackendStateChange(BackendState state, @Nullable Throwable cause) {
      seen.add(state);
      if (state == BackendState.DISCONNECTED) {
        disconnections.add(cause == null ? "no cause" : cause.getMessage());
      }
    }

    void assertNeverDisconnected() {
      assertThat(disconnections).as("the reported disconnections (Redis is up)").isEmpty();
      assertThat(seen).doesNotContain(BackendState.DISCONNECTED).endsWith(BackendState.CONNECTED);
    }
  }

  private static MessageBus bus() {
    return MessageBus.builder()
        .backend(RedisBackend.create(RedisTestSupport.uri(DB)))
        .keepaliveInterval(Duration.ZERO)
        .build();
  }

  /** Publishes {@code data} and waits until {@code got} has it: the bus is up and listening. */
  private static void publishAndReceive(
      MessageBus bus, LinkedBlockingQueue<Message> got, String data) throws InterruptedException {
    long id = bus.publish(CHANNEL, data);
    Message m = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(m).as("message %d received", id).isNotNull();
    assertThat(m.messageId()).isEqualTo(id);
    assertThat(m.data()).isEqualTo(data);
  }

  @Test
  void aBusStartedOnAHealthyRedis_neverReportsItDisconnected() throws Exception {
    for (int start = 1; start <= STARTS; start++) {
      States states = new States();
      try (MessageBus bus = bus()) {
        bus.addBackendStateListener(states);
        LinkedBlockingQueue<Message> got = new LinkedBlockingQueue<>();
        bus.subscribeAll(got::add); // as the HTTP layer does when it is built
        publishAndReceive(bus, got, "start " + start);

        assertThat(states.seen).startsWith(BackendState.UNKNOWN);
        states.assertNeverDisconnected();
        assertThat(bus.backendState()).isEqualTo(BackendState.CONNECTED);
      }
    }
  }

  @Test
  void concurrentFirstUses_ofAFreshBackend_neverReportItDisconnected() throws Exception {
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int start = 1; start <= STARTS; start++) {
        States states = new States();
        try (RedisBackend backend = RedisBackend.create(RedisTestSupport.uri(DB))) {
          backend.stateListener(states);
          CyclicBarrier together = new CyclicBarrier(threads);
          List<Future<Long>> reads = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            reads.add(
                pool.submit(
                    () -> {
                      together.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                      return backend.lastGlobalId(); // each may open the command connection
                    }));
          }
          for (Future<Long> r : reads) {
            assertThat(r.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNegative();
          }
          // A command after every first use ended: the state is still up.
          assertThat(backend.lastGlobalId()).isNotNegative();

          assertThat(states.seen).startsWith(BackendState.UNKNOWN);
          states.assertNeverDisconnected();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reconnect_onAHealthyRedis_neverReportsItDisconnected() throws Exception {
    States states = new States();
    try (MessageBus bus = bus()) {
      LinkedBlockingQueue<Message> got = new LinkedBlockingQueue<>();
      bus.subscribeAll(got::add);
      publishAndReceive(bus, got, "before");
      bus.addBackendStateListener(states);

      bus.reconnect(); // drops the command connection on purpose (Ruby's after_fork)
      publishAndReceive(bus, got, "after");

      assertThat(states.seen).startsWith(BackendState.CONNECTED);
      states.assertNeverDisconnected();
    }
  }
}
