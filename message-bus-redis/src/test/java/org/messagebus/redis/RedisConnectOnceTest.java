// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.BackendException;
import org.messagebus.BackendState;
import org.messagebus.BusClosedException;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.testkit.Services;
import org.messagebus.testkit.TcpProxy;

/**
 * A Redis backend opens its command connection once, however many threads need it first: at a bus's
 * start its subscribing thread and its background thread both do. Each backend here reaches the
 * shared Redis through a {@link TcpProxy} of its own, which counts the connections it opened
 * (nothing else connects to the proxy, so other tests and processes cannot disturb the count), and
 * names its connections ({@code clientName}), so that Redis's {@code CLIENT LIST} tells which of
 * them are open and which of those are pub/sub connections.
 *
 * <p>Before the fix each thread opened a command connection of its own and all but the first closed
 * theirs again: a connection opened and closed for nothing at nearly every start.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisConnectOnceTest {

  private static final int DB = RedisTestSupport.DB_CONNECT_ONCE;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String CHANNEL = "/once";
  private static final AtomicInteger NAMES = new AtomicInteger();

  /** Several starts: the race between the two threads of a bus's start is likely, not certain. */
  private static final int STARTS = 5;

  private static final int THREADS = 4;

  @BeforeAll
  static void cleanDatabase() {
    RedisTestSupport.requireRedis();
    RedisTestSupport.flushDb(DB);
  }

  @AfterAll
  static void cleanUp() {
    RedisTestSupport.flushDb(DB);
  }

  /** A client name no other connection to the shared Redis has. */
  private static String uniqueName() {
    return "mb-connect-once-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
  }

  /** The URI of the test's database through {@code proxy}, with {@code query} appended. */
  private static String via(TcpProxy proxy, String query) {
    return proxy.url(RedisTestSupport.uri(DB)) + "?" + query;
  }

  /** What {@code CLIENT LIST} says of the open connections named {@code name}. */
  private record Named(int open, int pubSub) {

    static Named now(String name) {
      try (StatefulRedisConnection<String, String> c = RedisTestSupport.redis(DB)) {
        int open = 0;
        int pubSub = 0;
        for (String line : c.sync().clientList().split("\n", -1)) {
          List<String> fields = Arrays.asList(line.trim().split(" ", -1));
          if (!fields.contains("name=" + name)) {
            continue;
          }
          open++;
          if (!fields.contains("sub=0") || !fields.contains("psub=0")) {
            pubSub++;
          }
        }
        return new Named(open, pubSub);
      }
    }

    int commands() {
      return open - pubSub;
    }
  }

  @Test
  void aBusStart_opensOneCommandConnection() throws Exception {
    for (int start = 1; start <= STARTS; start++) {
      String name = uniqueName();
      try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.REDIS_PORT);
          MessageBus bus =
              MessageBus.builder()
                  .backend(RedisBackend.create(via(proxy, "clientName=" + name)))
                  .keepaliveInterval(Duration.ZERO)
                  .build()) {
        LinkedBlockingQueue<Message> got = new LinkedBlockingQueue<>();
        bus.subscribeAll(got::add); // as the HTTP layer does when it is built
        long id = bus.publish(CHANNEL, "start " + start);
        Message m = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(m).as("message %d received", id).isNotNull();
        assertThat(m.messageId()).isEqualTo(id);

        Named named = Named.now(name);
        assertThat(named.commands()).as("open command connections, start %d", start).isEqualTo(1);
        assertThat(named.pubSub()).as("open pub/sub connections, start %d", start).isPositive();
        assertThat(proxy.connectionsAccepted())
            .as("connections opened at start %d (none closed again)", start)
            .isEqualTo(named.open());
      }
    }
  }

  @Test
  void concurrentFirstUses_ofAFreshBackend_openOneConnection() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      for (int start = 1; start <= STARTS; start++) {
        try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.REDIS_PORT);
            RedisBackend backend = RedisBackend.create(via(proxy, "clientName=" + uniqueName()))) {
          List<Future<Long>> reads = firstUses(pool, backend);
          for (Future<Long> r : reads) {
            assertThat(r.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNegative();
          }
          assertThat(backend.lastGlobalId()).isNotNegative();
          assertThat(proxy.connectionsAccepted()).as("connections opened").isEqualTo(1);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentFirstUses_shareTheFailureOfTheOneAttempt() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.REDIS_PORT)) {
      proxy.blackhole(); // accepts the connection and never answers: the handshake times out
      List<BackendState> states = new CopyOnWriteArrayList<>();
      // The handshake's timeout is the time the four threads have, once past the barrier, to join
      // the one attempt: long enough that only a stall of seconds could start a second.
      try (RedisBackend backend = RedisBackend.create(via(proxy, "timeout=5s"))) {
        backend.stateListener((state, cause) -> states.add(state));
        List<Future<Long>> reads = firstUses(pool, backend);
        for (Future<Long> r : reads) {
          assertThatThrownBy(() -> r.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isInstanceOf(BackendException.class)
              .isNotInstanceOf(BusClosedException.class)
              .hasMessageStartingWith("cannot connect to Redis");
        }
        assertThat(proxy.connectionsAccepted()).as("connections opened").isEqualTo(1);
        await().atMost(WAIT).until(() -> states.contains(BackendState.DISCONNECTED));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * With a supplied client, which closing the backend leaves open, the attempt goes on until its
   * handshake times out (60 s here): closing neither waits for it nor leaves the threads waiting
   * for it waiting.
   */
  @Test
  void close_doesNotWaitForAConnectionAttempt_andEndsItsWaiters() throws Exception {
    RedisClient client = RedisClient.create();
    try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.REDIS_PORT)) {
      proxy.blackhole(); // accepts the connection and never answers
      RedisBackend backend =
          RedisBackend.builder().client(client).uri(via(proxy, "timeout=60s")).build();
      try {
        FirstUse connecting = FirstUse.start(backend, "connect-once-connecting");
        await().atMost(WAIT).until(() -> proxy.connectionsAccepted() == 1);
        FirstUse waiting = FirstUse.start(backend, "connect-once-waiting");
        // Parked on the attempt's outcome (the only timed wait on its way).
        await().atMost(WAIT).until(() -> waiting.thread.getState() == Thread.State.TIMED_WAITING);

        long before = System.nanoTime();
        backend.close();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(WAIT);
        waiting.assertClosedFailure();
        assertThat(connecting.result).isNotDone(); // still in its handshake

        client.shutdown(Duration.ZERO, Duration.ofSeconds(2)); // ends the attempt
        connecting.assertClosedFailure();
        assertThat(proxy.connectionsAccepted()).as("connections opened").isEqualTo(1);
      } finally {
        backend.close();
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** A first use of a backend (a read of the global id) on a thread of its own. */
  private record FirstUse(Thread thread, CompletableFuture<Long> result) {

    static FirstUse start(RedisBackend backend, String name) {
      CompletableFuture<Long> result = new CompletableFuture<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  result.complete(backend.lastGlobalId());
                } catch (RuntimeException e) {
                  result.completeExceptionally(e);
                }
              },
              name);
      t.setDaemon(true);
      t.start();
      return new FirstUse(t, result);
    }

    void assertClosedFailure() {
      assertThatThrownBy(() -> result.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as(thread.getName())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(BusClosedException.class);
    }
  }

  /** {@link #THREADS} threads read the global id of a fresh backend at once. */
  private static List<Future<Long>> firstUses(ExecutorService pool, RedisBackend backend) {
    CyclicBarrier together = new CyclicBarrier(THREADS);
    List<Future<Long>> reads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      reads.add(
          pool.submit(
              () -> {
                together.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                return backend.lastGlobalId(); // each may open the command connection
              }));
    }
    return reads;
  }
}
