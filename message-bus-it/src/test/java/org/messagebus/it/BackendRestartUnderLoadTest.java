// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.testkit.PrivateRedis;

/**
 * The store restarts under load: {@value #CLIENTS} long polls held over real sockets by {@link
 * MessageBusServer} (one selector thread, {@link HeldPolls}) and a server-side subscriber, while
 * one message is published every {@value #PERIOD_MS} ms; a third of the way through the store
 * stops, and half-way through it starts again. Each store is the test's own ({@link
 * PrivateStores}), never the shared one.
 *
 * <ul>
 *   <li><b>Redis</b> (append-only file, as in production): the contract is that every publish is
 *       either stored (an id) or queued in memory ({@code NO_ID}) and written when Redis is back,
 *       so <em>every</em> message reaches every client and the subscriber exactly once, in order —
 *       including the publish in flight when Redis stops, which may have run with its reply lost:
 *       it is queued as uncertain and not written again when Redis already holds it.
 *   <li><b>PostgreSQL</b> ({@code pg_ctl stop -m fast}, then start; a pool that waits 250 ms for a
 *       connection, so publishes in the outage fail quickly): there is no queue; a publish the
 *       store acknowledged (an id) reaches every client exactly once, in order; a publish that
 *       threw is either delivered to everyone once (it committed before the connection dropped) or
 *       to no one; nothing is repeated.
 * </ul>
 *
 * <p>Time: about 15 s each (a 12 s publishing run plus the ramp and drain); the class is bounded by
 * its {@code @Timeout} of 3 minutes.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BackendRestartUnderLoadTest {

  static final int CLIENTS = 1000;
  static final int COUNT = 120;
  static final int PERIOD_MS = 100;
  private static final String CHANNEL = "/restart";
  private static LogCapture log;

  @BeforeAll
  static void captureLog() {
    log = LogCapture.install();
  }

  @AfterAll
  static void stopCapture() {
    log.close();
  }

  /** What the publisher got back for each message number: an id, NO_ID, or -2 for a throw. */
  private static final class Publisher {
    final Map<Integer, Long> outcomes = new ConcurrentHashMap<>();
    final AtomicInteger published = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    void start(MessageBus bus) {
      timer.scheduleAtFixedRate(
          () -> {
            int n = published.get() + 1;
            if (n > COUNT) {
              timer.shutdown();
              return;
            }
            long id;
            try {
              id = bus.publish(CHANNEL, n);
            } catch (RuntimeException e) {
              id = -2;
            }
            outcomes.put(n, id);
            published.set(n);
          },
          0,
          PERIOD_MS,
          TimeUnit.MILLISECONDS);
    }

    void awaitDone() throws InterruptedException {
      assertThat(timer.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static MessageBusServer server(MessageBus bus) {
    return MessageBusServer.builder(bus)
        .port(0)
        .httpOptions(
            HttpTransportOptions.builder()
                .maxActiveClients(CLIENTS * 2)
                // every client polls from 127.0.0.1
                .maxHeldPollsPerAddress(Integer.MAX_VALUE)
                .build())
        .build()
        .start();
  }

  /**
   * Waits until every client holds a poll, publishes {@value #COUNT} messages with the outage
   * between a third and a half of the run, and returns when the last publish returned.
   */
  private static void run(
      MessageBusServer server, HeldPolls polls, MessageBus bus, Publisher publisher, Outage outage)
      throws Exception {
    long ramp = System.nanoTime();
    await().atMost(Duration.ofSeconds(60)).until(() -> server.filter().heldPolls() >= CLIENTS);
    long start = System.nanoTime();
    System.out.printf(
        "restart under load: %d polls held after %.1f s%n", CLIENTS, (start - ramp) / 1e9);
    publisher.start(bus);
    await().atMost(Duration.ofSeconds(60)).until(() -> publisher.published.get() >= COUNT / 3);
    long down = System.nanoTime();
    outage.stop();
    await().atMost(Duration.ofSeconds(60)).until(() -> publisher.published.get() >= COUNT / 2);
    outage.start();
    System.out.printf(
        "restart under load: store away for %.1f s%n", (System.nanoTime() - down) / 1e9);
    publisher.awaitDone();
    System.out.printf(
        "restart under load: %d held polls, %d messages published in %.1f s%n",
        CLIENTS, COUNT, (System.nanoTime() - start) / 1e9);
  }

  private static int cardinality(BitSet b) {
    synchronized (b) {
      return b.cardinality();
    }
  }

  /** Stops and starts a store. */
  private interface Outage {
    void stop() throws Exception;

    void start() throws Exception;
  }

  /** Message numbers the server-side subscriber received more than once. */
  private static final BitSet SUBSCRIBER_REPEATS = new BitSet();

  private static BitSet subscribe(MessageBus bus, AtomicInteger repeats, AtomicInteger disorder) {
    BitSet got = new BitSet();
    long[] ids = new long[COUNT + 1];
    int[] last = {0};
    bus.subscribe(
        CHANNEL,
        0,
        m -> {
          int n = ((Number) m.data()).intValue();
          synchronized (got) {
            if (got.get(n)) {
              repeats.incrementAndGet();
              SUBSCRIBER_REPEATS.set(n);
              System.out.println(
                  "subscriber repeat: " + n + " (ids " + ids[n] + " and " + m.messageId() + ")");
            }
            ids[n] = m.messageId();
            if (n < last[0]) {
              disorder.incrementAndGet();
            }
            last[0] = n;
            got.set(n);
          }
        });
    return got;
  }

  @Test
  void redisRestart_with1000HeldPolls_deliversEveryMessageOnceToEveryone() throws Exception {
    int mark = log.mark();
    try (PrivateRedis redis = PrivateRedis.start();
        MessageBus bus =
            MessageBus.builder()
                .backend(
                    RedisBackend.builder()
                        .uri(redis.uri())
                        .retryInterval(Duration.ofMillis(100))
                        .build())
                .keepaliveInterval(Duration.ZERO)
                .build();
        MessageBusServer server = server(bus);
        HeldPolls polls = new HeldPolls(server.port(), CHANNEL, CLIENTS, COUNT)) {
      AtomicInteger repeats = new AtomicInteger();
      AtomicInteger disorder = new AtomicInteger();
      SUBSCRIBER_REPEATS.clear();
      BitSet subscriber = subscribe(bus, repeats, disorder);
      Publisher publisher = new Publisher();
      run(
          server,
          polls,
          bus,
          publisher,
          new Outage() {
            @Override
            public void stop() throws Exception {
              redis.stop();
            }

            @Override
            public void start() throws Exception {
              redis.restart();
            }
          });

      // The contract: no publish throws; those made while Redis was away are queued.
      assertThat(publisher.outcomes).hasSize(COUNT).doesNotContainValue(-2L);
      assertThat(publisher.outcomes.values()).contains(MessageBus.NO_ID);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  polls.delivered.get() >= (long) COUNT * CLIENTS
                      && cardinality(subscriber) >= COUNT);
      HeldPolls.Report report = polls.report();
      System.out.println("redis restart under load: " + report);
      assertThat(report.complete()).as("clients with every message").isEqualTo(CLIENTS);
      assertThat(report.outOfOrder()).isZero();
      assertThat(report.unexpected()).isZero();
      assertThat(disorder.get()).as("subscriber out of order").isZero();
      // Exactly once, including the publish in flight when Redis stopped: if Redis executed it
      // with its reply lost, the flusher finds it stored and does not write it again.
      BitSet repeated = report.repeatedNumbers();
      assertThat(repeated.isEmpty()).as("repeated messages %s", repeated).isTrue();
      assertThat(report.repeats()).isZero();
      synchronized (subscriber) {
        assertThat(SUBSCRIBER_REPEATS.isEmpty())
            .as("subscriber repeats %s", SUBSCRIBER_REPEATS)
            .isTrue();
      }
      assertThat(repeats.get()).isZero();
      assertThat(bus.lastId(CHANNEL)).isEqualTo(COUNT);
    }
    assertThat(log.since(mark)).as("ERROR lines").noneMatch(l -> l.level().equals("ERROR"));
  }

  /**
   * A pool that gives up on a connection after 250 ms (Hikari's default is 30 s), so that publishes
   * during the outage fail quickly instead of waiting for the store.
   */
  private static HikariDataSource pool(PrivateStores.Postgres pg) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl(pg.jdbcUrl());
    ds.setConnectionTimeout(250);
    ds.setMaximumPoolSize(10);
    ds.setPoolName("restart-under-load");
    return ds;
  }

  @Test
  void postgresRestart_with1000HeldPolls_deliversEveryAcknowledgedMessageOnce() throws Exception {
    int mark = log.mark();
    try (PrivateStores.Postgres pg = PrivateStores.Postgres.start();
        HikariDataSource pool = pool(pg);
        MessageBus bus =
            MessageBus.builder()
                .backend(
                    PostgresBackend.builder()
                        .dataSource(pool)
                        .reconnectDelay(Duration.ofMillis(100))
                        .build())
                .keepaliveInterval(Duration.ZERO)
                .build();
        MessageBusServer server = server(bus);
        HeldPolls polls = new HeldPolls(server.port(), CHANNEL, CLIENTS, COUNT)) {
      AtomicInteger repeats = new AtomicInteger();
      AtomicInteger disorder = new AtomicInteger();
      BitSet subscriber = subscribe(bus, repeats, disorder);
      Publisher publisher = new Publisher();
      run(
          server,
          polls,
          bus,
          publisher,
          new Outage() {
            @Override
            public void stop() throws Exception {
              pg.stopServer("fast");
            }

            @Override
            public void start() throws Exception {
              pg.startServer();
            }
          });

      BitSet acked = new BitSet();
      BitSet failed = new BitSet();
      publisher.outcomes.forEach(
          (n, id) -> {
            if (id > 0) {
              acked.set(n);
            } else {
              failed.set(n);
            }
          });
      System.out.println(
          "postgres restart under load: "
              + acked.cardinality()
              + " publishes acknowledged, failed: "
              + failed);
      assertThat(acked.cardinality() + failed.cardinality()).isEqualTo(COUNT);
      // the outage covered publishes: some of them failed
      assertThat(failed.isEmpty()).as("publishes failed during the outage").isFalse();
      assertThat(acked.cardinality()).isGreaterThan(COUNT / 2);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                synchronized (subscriber) {
                  BitSet missing = (BitSet) acked.clone();
                  missing.andNot(subscriber);
                  return missing.isEmpty();
                }
              });
      BitSet reference;
      synchronized (subscriber) {
        reference = (BitSet) subscriber.clone();
      }
      long want = (long) reference.cardinality() * CLIENTS;
      await().atMost(Duration.ofSeconds(60)).until(() -> polls.delivered.get() >= want);
      HeldPolls.Report report = polls.report();
      // Not the report's "with every message": publishes refused during the outage were never
      // stored, so no client can have all COUNT; each must have exactly what the store kept.
      long exact = report.received().stream().filter(reference::equals).count();
      System.out.println(
          "postgres restart under load: "
              + exact
              + " of "
              + report.clients()
              + " clients received exactly the "
              + reference.cardinality()
              + " messages the bus's own subscriber received ("
              + failed.cardinality()
              + " of "
              + COUNT
              + " publishes refused during the outage); repeats "
              + report.repeats()
              + ", out of order "
              + report.outOfOrder()
              + ", unexpected "
              + report.unexpected()
              + ", reconnects "
              + report.reconnects()
              + ", refused polls by status "
              + report.refused());
      assertThat(repeats.get()).as("subscriber repeats").isZero();
      assertThat(disorder.get()).as("subscriber out of order").isZero();
      BitSet beyond = (BitSet) reference.clone();
      beyond.andNot(acked);
      beyond.andNot(failed);
      assertThat(beyond.isEmpty()).as("delivered but never published: %s", beyond).isTrue();
      assertThat(report.repeats()).as("repeated deliveries").isZero();
      assertThat(report.outOfOrder()).isZero();
      assertThat(report.unexpected()).isZero();
      // every acknowledged message, and a failed one exactly when the subscriber got it too
      assertThat(report.received()).allSatisfy(got -> assertThat(got).isEqualTo(reference));
    }
    assertThat(log.since(mark)).as("ERROR lines").noneMatch(l -> l.level().equals("ERROR"));
  }
}
