// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.BackendException;
import org.messagebus.BackendState;
import org.messagebus.BusClosedException;
import org.messagebus.MessageBus;
import org.messagebus.testkit.Services;
import org.messagebus.testkit.TcpProxy;

/**
 * Subscribing while PostgreSQL cannot be reached, and the bus's lifecycle on PostgreSQL. The outage
 * is a {@link TcpProxy} in front of the shared server that the test cuts (the shared server keeps
 * running, and another process keeps publishing through its own connections). Subscribing must
 * return promptly without an exception, and every subscription must then receive each message once,
 * in order.
 */
@Timeout(90)
class PostgresOutageTest {

  private static final String CHANNEL = "/ticks";
  private static final Duration PROMPTLY = Duration.ofSeconds(10);
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration FAST_RECONNECT = Duration.ofMillis(100);
  private static PgTestSupport pg;

  private final ConcurrentLinkedDeque<AutoCloseable> toClose = new ConcurrentLinkedDeque<>();

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("outage");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @AfterEach
  void closeEverything() throws Exception {
    AutoCloseable c;
    while ((c = toClose.pollLast()) != null) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    toClose.add(c);
    return c;
  }

  /** A builder on a fresh table and notification channel, not yet given a connection source. */
  private PostgresBackend.Builder table() {
    return table(pg.uniqueName());
  }

  /** A builder on the table and notification channel of this name. */
  private PostgresBackend.Builder table(String name) {
    return PostgresBackend.builder()
        .schema(pg.schema)
        .tablePrefix(name)
        .notificationChannel(pg.schema + "_" + name)
        .reconnectDelay(FAST_RECONNECT);
  }

  private MessageBus bus(PostgresBackend backend) {
    return closeLater(
        MessageBus.builder()
            .backend(backend)
            .keepaliveInterval(Duration.ZERO)
            .retryInterval(Duration.ofMillis(200))
            .build());
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

  /** The live threads of the bus, its backend and its own pool, by name. */
  private static Set<Thread> threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("message-bus-"))
        .collect(Collectors.toSet());
  }

  @Test
  void readAfterClose_throwsBusClosed_andCloseLeavesNoThreadBehind() {
    Set<Thread> before = threads();
    MessageBus bus = bus(table().jdbcUrl(pg.url()).build());
    Got got = new Got();
    bus.subscribe(CHANNEL, m -> got.add(m.data()));
    bus.publish(CHANNEL, 1);
    got.assertExactly(List.of(1L));
    assertThat(threads()).hasSizeGreaterThan(before.size());

    bus.close();
    assertThatThrownBy(() -> bus.lastId(CHANNEL)).isInstanceOf(BusClosedException.class);
    assertThatThrownBy(() -> bus.globalBacklog(0)).isInstanceOf(BusClosedException.class);
    assertThatThrownBy(() -> bus.backend().lastGlobalId()).isInstanceOf(BusClosedException.class);
    bus.close();

    await().atMost(WAIT).untilAsserted(() -> assertThat(before).containsAll(threads()));
  }

  @Test
  void subscribe_whileCutOff_returnsAndDeliversWhatOthersPublishedMeanwhileOnce() throws Exception {
    TcpProxy proxy = closeLater(new TcpProxy(Services.HOST, Services.POSTGRES_PORT));
    HikariDataSource viaProxy = closeLater(PgTestSupport.pool(proxy.url(pg.url()), 4));
    PostgresBackend.Builder common = table();
    MessageBus bus = bus(common.dataSource(viaProxy).build());
    MessageBus other = bus(common.dataSource(pg.dataSource()).build());
    List<BackendState> states = new CopyOnWriteArrayList<>();
    bus.addBackendStateListener((state, cause) -> states.add(state));
    Got early = new Got();
    bus.subscribe(CHANNEL, m -> early.add(m.data()));
    for (int i = 1; i <= 3; i++) {
      other.publish(CHANNEL, i); // ids 1, 2, 3: a fresh table
    }
    early.assertExactly(numbers(1, 3));

    proxy.cut();
    await().atMost(WAIT).until(() -> bus.backendState() == BackendState.DISCONNECTED);
    Got now = new Got();
    Got fromTwo = new Got();
    Got all = new Got();
    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          bus.subscribe(CHANNEL, m -> now.add(m.data()));
          bus.subscribe(CHANNEL, 2, m -> fromTwo.add(m.data()));
          bus.subscribeAll(m -> all.add(m.data()));
        });
    assertThatThrownBy(() -> bus.lastId(CHANNEL)).isInstanceOf(BackendException.class);
    for (int i = 4; i <= 6; i++) {
      other.publish(CHANNEL, i); // another process, while this one cannot reach the database
    }
    proxy.restore();
    other.publish(CHANNEL, 7);

    early.assertExactly(numbers(1, 7));
    now.assertExactly(numbers(4, 7));
    fromTwo.assertExactly(numbers(3, 7));
    all.assertExactly(numbers(4, 7));
    await().atMost(WAIT).until(() -> bus.backendState() == BackendState.CONNECTED);
    assertThat(states)
        .startsWith(BackendState.UNKNOWN, BackendState.CONNECTED)
        .contains(BackendState.DISCONNECTED)
        .endsWith(BackendState.CONNECTED);
  }

  @Test
  void aBusStartedWhilePostgresIsUnreachable_buildsSubscribesAndConnectsWhenItIsBack()
      throws Exception {
    TcpProxy proxy = closeLater(new TcpProxy(Services.HOST, Services.POSTGRES_PORT));
    String name = pg.uniqueName();
    MessageBus other = bus(table(name).dataSource(pg.dataSource()).build());
    other.publish(CHANNEL, 1);
    proxy.cut();
    // The backend builds its own pool from the URL: lazily, so building works while unreachable.
    MessageBus bus = bus(table(name).jdbcUrl(proxy.url(pg.url()) + "&connectTimeout=5").build());
    Got all = new Got();
    Got fromZero = new Got();
    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          bus.subscribeAll(m -> all.add(m.data())); // what the HTTP filter does when built
          bus.subscribe(CHANNEL, 0, m -> fromZero.add(m.data()));
        });
    await().atMost(WAIT).until(() -> bus.backendState() == BackendState.DISCONNECTED);
    assertThat(bus.backendFailure()).get().asString().contains("cannot connect to");
    assertThat(bus.isListening()).isFalse();
    assertThatThrownBy(() -> bus.lastId(CHANNEL))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("PostgreSQL backend: cannot connect to");

    proxy.restore();
    await().atMost(WAIT).until(bus::isListening);
    other.publish(CHANNEL, 2);
    bus.publish(CHANNEL, 3);

    all.assertExactly(numbers(2, 3));
    fromZero.assertExactly(numbers(1, 3));
    await().atMost(WAIT).until(() -> bus.backendState() == BackendState.CONNECTED);
  }

  @Test
  void subscribe_whileKnownToBeUnreachable_neverWaitsForThePool() throws Exception {
    TcpProxy proxy = closeLater(new TcpProxy(Services.HOST, Services.POSTGRES_PORT));
    // The pool waits up to 2 s for a connection: twenty subscriptions trying it would take 40 s.
    HikariDataSource viaProxy = closeLater(PgTestSupport.pool(proxy.url(pg.url()), 4));
    String name = pg.uniqueName();
    MessageBus bus = bus(table(name).dataSource(viaProxy).build());
    MessageBus other = bus(table(name).dataSource(pg.dataSource()).build());
    bus.subscribe(CHANNEL, m -> {});
    await().atMost(WAIT).until(bus::isListening);
    proxy.cut();
    await().atMost(WAIT).until(() -> bus.backendState() == BackendState.DISCONNECTED);

    List<Got> subscribers = new CopyOnWriteArrayList<>();
    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          for (int i = 0; i < 20; i++) {
            Got got = new Got();
            subscribers.add(got);
            bus.subscribe(CHANNEL, 0, m -> got.add(m.data()));
          }
        });
    proxy.restore();
    other.publish(CHANNEL, 1);

    for (Got got : subscribers) {
      got.assertExactly(List.of(1L));
    }
  }
}
