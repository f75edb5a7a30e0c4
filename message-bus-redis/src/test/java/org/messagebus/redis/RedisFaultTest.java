// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.BackendException;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.client.MessageBusClient;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.testkit.PrivateRedis;

/**
 * Redis failures, on a private {@code redis-server} the test may kill, restart and demote: lost
 * subscriber and publisher connections, a restart mid-stream, a read-only Redis, a full publish
 * queue. A server-side subscriber and a held HTTP client (long polling through {@link
 * MessageBusServer}) must each see every message exactly once, in order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisFaultTest {

  private static final String CHANNEL = "/ticks";
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
    admin(r -> r.flushdb());
  }

  @AfterEach
  void closeEverything() throws Exception {
    AutoCloseable c;
    while ((c = toClose.pollLast()) != null) {
      c.close();
    }
    // A test that demoted Redis must not leave it read-only.
    admin(r -> r.replicaofNoOne());
  }

  /** Runs one command on a fresh connection (restarts break old ones). */
  private static void admin(Consumer<RedisCommands<String, String>> command) {
    try (StatefulRedisConnection<String, String> c = adminClient.connect()) {
      command.accept(c.sync());
    }
  }

  private RedisBackend backend(UnaryOperator<RedisBackend.Builder> tweak) {
    return tweak
        .apply(RedisBackend.builder().uri(redis.uri()).retryInterval(Duration.ofMillis(100)))
        .build();
  }

  private MessageBus bus(RedisBackend backend) {
    MessageBus bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    toClose.add(bus);
    return bus;
  }

  /** A server-side subscriber and a held HTTP client on CHANNEL, both from the start. */
  private record Observers(List<Long> server, List<Long> http) {}

  private Observers observe(MessageBus bus) {
    List<Long> server = new CopyOnWriteArrayList<>();
    bus.subscribe(CHANNEL, 0, m -> server.add(((Number) m.data()).longValue()));
    MessageBusServer http = MessageBusServer.builder(bus).port(0).build().start();
    toClose.add(http);
    List<Long> viaHttp = new CopyOnWriteArrayList<>();
    MessageBusClient client =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + http.port() + "/"))
            .chunkedEncoding(false)
            .maxPollInterval(Duration.ofMillis(300))
            .build();
    toClose.add(client);
    client.subscribe(CHANNEL, 0, m -> viaHttp.add(((Number) m.data()).longValue()));
    client.start();
    return new Observers(server, viaHttp);
  }

  private static void assertEveryMessageOnceInOrder(Observers o, int count) {
    List<Long> expected = LongStream.rangeClosed(1, count).boxed().toList();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> o.server().size() >= count && o.http().size() >= count);
    assertThat(o.server()).as("server-side subscriber").containsExactlyElementsOf(expected);
    assertThat(o.http()).as("held HTTP client").containsExactlyElementsOf(expected);
  }

  // ---------------------------------------------------------------- lost connections

  @Test
  void clientKill_ofSubscriberAndPublisherConnections_losesAndDuplicatesNothing() {
    MessageBus bus = bus(backend(b -> b));
    Observers o = observe(bus);
    int count = 2000;

    for (int i = 1; i <= count; i++) {
      bus.publish(CHANNEL, i);
      if (i == count / 3) {
        admin(r -> r.clientKill(io.lettuce.core.KillArgs.Builder.typePubsub()));
      } else if (i == 2 * count / 3) {
        admin(r -> r.clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme()));
      }
    }

    assertEveryMessageOnceInOrder(o, count);
  }

  @Test
  void restart_ofRedisMidStream_queuesPublishesAndLosesAndDuplicatesNothing() throws Exception {
    RedisBackend backend = backend(b -> b);
    MessageBus bus = bus(backend);
    Observers o = observe(bus);
    int count = 600;
    for (int i = 1; i <= count / 2; i++) {
      bus.publish(CHANNEL, i);
    }

    redis.stop();
    List<Long> whileDown = new ArrayList<>();
    for (int i = count / 2 + 1; i <= 3 * count / 4; i++) {
      whileDown.add(bus.publish(CHANNEL, i));
    }
    assertThat(whileDown).containsOnly(MessageBus.NO_ID);
    assertThat(backend.queuedPublishes()).isEqualTo(count / 4);
    redis.restart();
    for (int i = 3 * count / 4 + 1; i <= count; i++) {
      bus.publish(CHANNEL, i);
    }

    assertEveryMessageOnceInOrder(o, count);
    assertThat(backend.queuedPublishes()).isZero();
    assertThat(bus.lastId(CHANNEL)).isEqualTo(count);
  }

  @Test
  void restart_ofRedisThatLostItsData_keepsDeliveringWithRestartedIds() throws Exception {
    RedisBackend backend = backend(b -> b);
    MessageBus bus = bus(backend);
    List<Long> got = new CopyOnWriteArrayList<>();
    bus.subscribe(CHANNEL, m -> got.add(((Number) m.data()).longValue()));
    for (int i = 1; i <= 50; i++) {
      bus.publish(CHANNEL, i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 50);

    redis.stop();
    for (int i = 51; i <= 60; i++) {
      assertThat(bus.publish(CHANNEL, i)).isEqualTo(MessageBus.NO_ID);
    }
    redis.restartEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> backend.queuedPublishes() == 0);
    for (int i = 61; i <= 100; i++) {
      bus.publish(CHANNEL, i);
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 100);
    assertThat(got).containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
    // The queued messages were the first written to the empty Redis.
    assertThat(bus.lastId(CHANNEL)).isEqualTo(50);
  }

  // ---------------------------------------------------------------- read-only Redis

  /** Makes the private Redis a replica of a master that does not exist: it refuses writes. */
  private static void makeReadOnly() {
    admin(r -> r.replicaof("127.0.0.1", 1));
  }

  @Test
  void readOnly_publishesAreQueuedThenFlushedInOrder() {
    RedisBackend backend = backend(b -> b);
    MessageBus bus = bus(backend);
    List<Long> got = new CopyOnWriteArrayList<>();
    bus.subscribe(CHANNEL, m -> got.add(((Number) m.data()).longValue()));
    bus.publish(CHANNEL, 1);
    makeReadOnly();

    List<Long> ids = new ArrayList<>();
    for (int i = 2; i <= 6; i++) {
      ids.add(bus.publish(CHANNEL, i));
    }
    assertThat(ids).containsOnly(MessageBus.NO_ID);
    assertThat(backend.queuedPublishes()).isEqualTo(5);
    assertThat(bus.backlog(CHANNEL, 0)).hasSize(1);

    admin(r -> r.replicaofNoOne());

    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 6);
    assertThat(got).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(bus.backlog(CHANNEL, 0))
        .extracting(m -> ((Number) m.data()).longValue())
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(backend.queuedPublishes()).isZero();
  }

  @Test
  void readOnly_withFullQueue_publishFailsAndQueuedMessagesSurvive() {
    RedisBackend backend = backend(b -> b.maxInMemoryPublishBacklog(2));
    MessageBus bus = bus(backend);
    makeReadOnly();

    assertThat(bus.publish(CHANNEL, 1)).isEqualTo(MessageBus.NO_ID);
    assertThat(bus.publish(CHANNEL, 2)).isEqualTo(MessageBus.NO_ID);
    assertThatThrownBy(() -> bus.publish(CHANNEL, 3))
        .isInstanceOf(PublishQueueFullException.class)
        .hasMessageContaining("queue is full (2 messages)")
        .hasMessageContaining(CHANNEL);

    admin(r -> r.replicaofNoOne());

    await().atMost(Duration.ofSeconds(10)).until(() -> backend.queuedPublishes() == 0);
    assertThat(bus.backlog(CHANNEL, 0))
        .extracting(m -> ((Number) m.data()).longValue())
        .containsExactly(1L, 2L);
  }

  @Test
  void close_withQueuedPublishes_keepsThemAndReconnectFlushesThem() {
    RedisBackend backend = backend(b -> b);
    MessageBus bus = bus(backend);
    makeReadOnly();
    assertThat(bus.publish(CHANNEL, 1)).isEqualTo(MessageBus.NO_ID);
    assertThat(bus.publish(CHANNEL, 2)).isEqualTo(MessageBus.NO_ID);

    bus.close();
    assertThat(backend.queuedPublishes()).isEqualTo(2);
    admin(r -> r.replicaofNoOne());
    bus.on();
    bus.reconnect();

    await().atMost(Duration.ofSeconds(10)).until(() -> backend.queuedPublishes() == 0);
    assertThat(bus.backlog(CHANNEL, 0))
        .extracting(m -> ((Number) m.data()).longValue())
        .containsExactly(1L, 2L);
  }

  @Test
  void readOnly_publishWithQueueInMemoryFalse_throwsAtOnce() {
    RedisBackend backend = backend(b -> b);
    MessageBus bus = bus(backend);
    makeReadOnly();

    assertThatThrownBy(
            () -> bus.publish(CHANNEL, 1, PublishOptions.builder().queueInMemory(false).build()))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("READONLY");
    assertThat(backend.queuedPublishes()).isZero();
  }
}
