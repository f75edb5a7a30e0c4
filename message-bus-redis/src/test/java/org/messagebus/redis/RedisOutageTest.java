// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.BackendException;
import org.messagebus.BackendState;
import org.messagebus.BusClosedException;
import org.messagebus.MessageBus;
import org.messagebus.Subscription;
import org.messagebus.testkit.PrivateRedis;
import org.messagebus.testkit.TcpProxy;

/**
 * Subscribing while Redis cannot be reached, and the bus's lifecycle, on a private {@code
 * redis-server} the test stops and restarts, reached directly or through a {@link TcpProxy} that
 * cuts it off (a partition: other processes still publish) or silently drops everything (a host
 * that vanished). Subscribing must return promptly without an exception, and every subscription
 * must then receive each message once, in order: from now on, what was published after the call;
 * from a position, the backlog after it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisOutageTest {

  private static final String CHANNEL = "/ticks";
  private static final Duration PROMPTLY = Duration.ofSeconds(10);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static PrivateRedis redis;
  private static RedisClient adminClient;

  private final ConcurrentLinkedDeque<AutoCloseable> toClose = new ConcurrentLinkedDeque<>();

  @BeforeAll
  static void startRedis() throws Exception {
    redis = PrivateRedis.start();
    adminClient = RedisClient.create(redis.uri());
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (adminClient != null) {
      adminClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void emptyDatabase() {
    try (StatefulRedisConnection<String, String> c = adminClient.connect()) {
      c.sync().flushdb();
    }
  }

  @AfterEach
  void closeEverything() throws Exception {
    AutoCloseable c;
    while ((c = toClose.pollLast()) != null) {
      c.close();
    }
  }

  private RedisBackend backend(String uri, UnaryOperator<RedisBackend.Builder> tweak) {
    return tweak
        .apply(RedisBackend.builder().uri(uri).retryInterval(Duration.ofMillis(100)))
        .build();
  }

  private MessageBus bus(RedisBackend backend) {
    MessageBus bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    toClose.add(bus);
    return bus;
  }

  private static String via(TcpProxy proxy) {
    return "redis://127.0.0.1:" + proxy.port() + "/0";
  }

  private static List<Long> numbers(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  /** Collects the numbers a subscription receives. */
  private static final class Got {
    final List<Long> numbers = new CopyOnWriteArrayList<>();

    void add(Object data) {
      numbers.add(((Number) data).longValue());
    }

    /** Waits until {@code last} arrived, then checks that exactly {@code expected} came. */
    void assertExactly(List<Long> expected) {
      long last = expected.get(expected.size() - 1);
      await().atMost(WAIT).until(() -> numbers.contains(last));
      assertThat(numbers).containsExactlyElementsOf(expected);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** The live threads of Lettuce and of the bus, by name. */
  private static Set<Thread> threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("lettuce-") || t.getName().startsWith("message-bus-"))
        .collect(Collectors.toSet());
  }

  @Test
  void readAfterClose_throwsBusClosed_andCloseLeavesNoThreadBehind() {
    Set<Thread> before = threads();
    MessageBus bus =
        MessageBus.builder()
            .backend(backend(redis.uri(), b -> b))
            .keepaliveInterval(Duration.ofMillis(200))
            .build();
    Got got = new Got();
    bus.subscribe(CHANNEL, m -> got.add(m.data()));
    bus.publish(CHANNEL, 1);
    got.assertExactly(List.of(1L));
    assertThat(threads()).hasSizeGreaterThan(before.size());

    bus.close();
    // Before the fix the read re-opened the backend (a new Lettuce client and its threads) and the
    // second close() did nothing.
    assertThatThrownBy(() -> bus.lastId(CHANNEL)).isInstanceOf(BusClosedException.class);
    assertThatThrownBy(() -> bus.backlog(CHANNEL, 0)).isInstanceOf(BusClosedException.class);
    assertThatThrownBy(() -> bus.backend().lastGlobalId()).isInstanceOf(BusClosedException.class);
    bus.close();

    await().atMost(WAIT).untilAsserted(() -> assertThat(before).containsAll(threads()));
  }

  // ---------------------------------------------------------------- outages

  @Test
  void subscribe_whileRedisIsStopped_returnsAndDeliversEachMessageOnceWhenItIsBack()
      throws Exception {
    MessageBus bus = bus(backend(redis.uri(), b -> b));
    Got early = new Got();
    bus.subscribe(CHANNEL, m -> early.add(m.data()));
    for (int i = 1; i <= 3; i++) {
      bus.publish(CHANNEL, i);
    }
    early.assertExactly(numbers(1, 3));

    redis.stop();
    Got now = new Got();
    Got fromTwo = new Got();
    Got all = new Got();
    try {
      assertTimeoutPreemptively(
          PROMPTLY,
          () -> {
            bus.subscribe(CHANNEL, m -> now.add(m.data()));
            bus.subscribe(CHANNEL, 2, m -> fromTwo.add(m.data()));
            bus.subscribeAll(m -> all.add(m.data()));
          });
    } finally {
      redis.restart();
    }
    for (int i = 4; i <= 6; i++) {
      bus.publish(CHANNEL, i); // queued in memory until the connection is back, then in order
    }

    early.assertExactly(numbers(1, 6));
    now.assertExactly(numbers(4, 6));
    fromTwo.assertExactly(numbers(3, 6));
    all.assertExactly(numbers(4, 6));
    bus.publish(CHANNEL, 7);
    early.assertExactly(numbers(1, 7));
    now.assertExactly(numbers(4, 7));
    fromTwo.assertExactly(numbers(3, 7));
    all.assertExactly(numbers(4, 7));
  }

  @Test
  void subscribe_whileCutOffFromRedis_deliversWhatOthersPublishedMeanwhileOnce() throws Exception {
    try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.port())) {
      MessageBus bus = bus(backend(via(proxy), b -> b));
      MessageBus other = bus(backend(redis.uri(), b -> b));
      Got early = new Got();
      bus.subscribe(CHANNEL, m -> early.add(m.data()));
      for (int i = 1; i <= 3; i++) {
        other.publish(CHANNEL, i);
      }
      early.assertExactly(numbers(1, 3));

      proxy.cut();
      await().atMost(WAIT).until(() -> !bus.isListening());
      Got now = new Got();
      Got fromTwo = new Got();
      assertTimeoutPreemptively(
          PROMPTLY,
          () -> {
            bus.subscribe(CHANNEL, m -> now.add(m.data()));
            bus.subscribe(CHANNEL, 2, m -> fromTwo.add(m.data()));
          });
      for (int i = 4; i <= 6; i++) {
        other.publish(CHANNEL, i); // another process, while this one cannot reach Redis
      }
      proxy.restore();
      other.publish(CHANNEL, 7);

      early.assertExactly(numbers(1, 7));
      now.assertExactly(numbers(4, 7));
      fromTwo.assertExactly(numbers(3, 7));
    }
  }

  @Test
  void firstSubscribe_toAHostThatDropsEverything_holdsNoLockAndReturnsWhenItAnswers()
      throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    toClose.add(executor::shutdownNow);
    try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.port())) {
      // A long command timeout: what a subscription waits for is visible.
      MessageBus bus = bus(backend(via(proxy), b -> b.commandTimeout(Duration.ofSeconds(60))));
      MessageBus other = bus(backend(redis.uri(), b -> b));
      other.publish(CHANNEL, 1);
      proxy.blackhole();
      Got fromZero = new Got();
      Future<Subscription> subscribing =
          executor.submit(() -> bus.subscribe(CHANNEL, 0, m -> fromZero.add(m.data())));
      await().atMost(WAIT).until(() -> proxy.connectionsAccepted() > 0);

      // Before the fix the bus read the store under its lifecycle lock, so this waited too.
      assertTimeoutPreemptively(PROMPTLY, () -> assertThat(bus.isListening()).isFalse());

      proxy.restore(); // the host is back; what it held is gone
      assertThat(subscribing.get(WAIT.toSeconds(), TimeUnit.SECONDS).isActive()).isTrue();
      other.publish(CHANNEL, 2);
      fromZero.assertExactly(numbers(1, 2));
      await().atMost(WAIT).until(bus::isListening);
      other.publish(CHANNEL, 3);
      fromZero.assertExactly(numbers(1, 3));
    }
  }

  @Test
  void aSubscriptionLinkThatSilentlyDropsPackets_isNoticedReopenedAndCaughtUp() throws Exception {
    try (TcpProxy proxy = new TcpProxy("127.0.0.1", redis.port())) {
      // Checks after 4 s of quiet, each PING given 2 s: a loaded CI machine answers well within.
      MessageBus bus = bus(backend(via(proxy), b -> b.commandTimeout(Duration.ofSeconds(2))));
      MessageBus other = bus(backend(redis.uri(), b -> b));
      Got got = new Got();
      bus.subscribe(CHANNEL, m -> got.add(m.data()));
      await().atMost(WAIT).until(bus::isListening);
      other.publish(CHANNEL, 1);
      got.assertExactly(numbers(1, 1));
      // A quiet link that answers its checks (two in 9 s here) is kept: no new connection.
      int connections = proxy.connectionsAccepted();
      await()
          .during(Duration.ofSeconds(9))
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  proxy.connectionsAccepted() == connections
                      && bus.backendState() == BackendState.CONNECTED);

      // Nothing is sent on a subscription connection: only its own check can tell that the link
      // stopped answering (the proxy keeps every connection open and forwards nothing).
      proxy.blackhole();
      other.publish(CHANNEL, 2);
      await().atMost(WAIT).until(() -> bus.backendState() == BackendState.DISCONNECTED);
      assertThat(bus.isListening()).isFalse();
      other.publish(CHANNEL, 3);
      proxy.restore();

      got.assertExactly(numbers(1, 3));
      await().atMost(WAIT).until(() -> bus.backendState() == BackendState.CONNECTED);
      other.publish(CHANNEL, 4);
      got.assertExactly(numbers(1, 4));
    }
  }

  @Test
  void aBusStartedWhileRedisIsDown_buildsSubscribesAndConnectsWhenItIsBack() throws Exception {
    try (MessageBus seed = MessageBus.builder().backend(backend(redis.uri(), b -> b)).build()) {
      seed.publish(CHANNEL, 1);
    }
    redis.stop();
    MessageBus bus = bus(backend(redis.uri(), b -> b)); // building needs no Redis
    Got all = new Got();
    Got fromZero = new Got();
    try {
      assertTimeoutPreemptively(
          PROMPTLY,
          () -> {
            bus.subscribeAll(m -> all.add(m.data())); // what the HTTP filter does when built
            bus.subscribe(CHANNEL, 0, m -> fromZero.add(m.data()));
          });
      await().atMost(WAIT).until(() -> bus.backendState() == BackendState.DISCONNECTED);
      assertThat(bus.backendFailure()).isPresent();
      assertThat(bus.isListening()).isFalse();
      // What a poll meets meanwhile (the HTTP layer answers 503).
      assertThatThrownBy(() -> bus.lastId(CHANNEL)).isInstanceOf(BackendException.class);
    } finally {
      redis.restart();
    }

    await().atMost(WAIT).until(bus::isListening);
    bus.publish(CHANNEL, 2);
    bus.publish(CHANNEL, 3);

    all.assertExactly(numbers(2, 3));
    fromZero.assertExactly(numbers(1, 3));
    await().atMost(WAIT).until(() -> bus.backendState() == BackendState.CONNECTED);
  }

  @Test
  void backendState_isToldOfRedisGoingAwayAndComingBack() throws Exception {
    MessageBus bus = bus(backend(redis.uri(), b -> b));
    List<BackendState> states = new CopyOnWriteArrayList<>();
    List<Throwable> causes = new CopyOnWriteArrayList<>();
    bus.addBackendStateListener(
        (state, cause) -> {
          states.add(state);
          if (cause != null) {
            causes.add(cause);
          }
        });
    assertThat(states).containsExactly(BackendState.UNKNOWN);
    Got got = new Got();
    bus.subscribe(CHANNEL, m -> got.add(m.data()));
    await().atMost(WAIT).until(bus::isListening);
    assertThat(bus.backendState()).isEqualTo(BackendState.CONNECTED);

    redis.stop();
    try {
      await().atMost(WAIT).until(() -> bus.backendState() == BackendState.DISCONNECTED);
    } finally {
      redis.restart();
    }
    await().atMost(WAIT).until(() -> bus.backendState() == BackendState.CONNECTED);
    bus.publish(CHANNEL, 1);
    got.assertExactly(List.of(1L));

    assertThat(states).startsWith(BackendState.UNKNOWN, BackendState.CONNECTED);
    assertThat(states).contains(BackendState.DISCONNECTED).endsWith(BackendState.CONNECTED);
    assertThat(causes).isNotEmpty();
  }
}
