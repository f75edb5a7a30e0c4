// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.BackendException;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.testkit.Services;
import org.messagebus.testkit.TcpProxy;

/**
 * Lost connections: the LISTEN connection killed by {@code pg_terminate_backend} mid-stream, every
 * connection cut (what a PostgreSQL restart looks like to the client) and the database unreachable
 * while publishing. The outage is simulated with a {@link TcpProxy} of our own, so the shared
 * server keeps running. Nothing may be lost or delivered twice.
 */
@Timeout(90)
class FaultTest {

  private static final Duration FAST_RECONNECT = Duration.ofMillis(100);
  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("fault");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  private static List<Long> expected(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void terminatingTheListenConnectionMidStream_losesAndRepeatsNothing() throws Exception {
    int count = 1500;
    try (PostgresBackend b = pg.backend().reconnectDelay(FAST_RECONNECT).build()) {
      List<Long> received = new CopyOnWriteArrayList<>();
      b.globalSubscribe(0, m -> received.add(Long.parseLong(m.payload())));
      ExecutorService publisher = Executors.newSingleThreadExecutor();
      try {
        Future<?> publishing =
            publisher.submit(
                () -> {
                  for (long i = 10; i < 10 + count; i++) {
                    b.publish("/stream", Long.toString(i), BackendPublishOptions.NONE);
                  }
                });
        for (int kill = 1; kill <= 3; kill++) {
          long mark = (long) count * kill / 4;
          await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= mark);
          int pid = awaitListenerPid(b);
          pg.exec("SELECT pg_terminate_backend(" + pid + ")");
          await().atMost(Duration.ofSeconds(30)).until(() -> b.listenerPid() != pid);
        }
        publishing.get(60, TimeUnit.SECONDS);
      } finally {
        publisher.shutdownNow();
      }
      b.publish("/stream", Long.toString(10 + count), BackendPublishOptions.NONE);

      await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= count + 1);
      assertThat(received).isEqualTo(expected(10, 10 + count));
    }
  }

  private static int awaitListenerPid(PostgresBackend b) {
    await().atMost(Duration.ofSeconds(30)).until(() -> b.listenerPid() > 0);
    return b.listenerPid();
  }

  @Test
  void cuttingEveryConnectionWhileAnotherProcessPublishes_losesAndRepeatsNothing()
      throws Exception {
    try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.POSTGRES_PORT);
        HikariDataSource viaProxy = PgTestSupport.pool(proxy.url(PgTestSupport.URL), 4)) {
      String name = pg.uniqueName();
      PostgresBackend.Builder common =
          PostgresBackend.builder()
              .schema(pg.schema)
              .tablePrefix(name)
              .notificationChannel(pg.schema + "_" + name)
              .reconnectDelay(FAST_RECONNECT);
      try (PostgresBackend subscriber = common.dataSource(viaProxy).build();
          PostgresBackend publisher = common.dataSource(pg.dataSource()).build()) {
        List<Long> received = new CopyOnWriteArrayList<>();
        subscriber.globalSubscribe(-1, m -> received.add(Long.parseLong(m.payload())));
        int count = 600;
        for (int round = 0; round < 3; round++) {
          long from = 10 + round * count / 3;
          long to = from + count / 3 - 1;
          for (long i = from; i <= to; i++) {
            publisher.publish("/stream", Long.toString(i), BackendPublishOptions.NONE);
            if (i == from + 50) {
              proxy.cut(); // the "restart": every connection of the subscriber drops
            }
            if (i == from + 150) {
              proxy.restore();
            }
          }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= count);
        publisher.publish("/stream", Long.toString(10 + count), BackendPublishOptions.NONE);
        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= count + 1);
        assertThat(received).isEqualTo(expected(10, 10 + count));
      }
    }
  }

  @Test
  void databaseDownDuringPublish_throwsClearlyThenTheBusRecovers() throws Exception {
    try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.POSTGRES_PORT);
        HikariDataSource viaProxy = PgTestSupport.pool(proxy.url(PgTestSupport.URL), 4)) {
      String name = pg.uniqueName();
      PostgresBackend.Builder common =
          PostgresBackend.builder()
              .schema(pg.schema)
              .tablePrefix(name)
              .notificationChannel(pg.schema + "_" + name)
              .reconnectDelay(FAST_RECONNECT);
      PostgresBackend other = common.dataSource(pg.dataSource()).build();
      try (MessageBus bus =
              MessageBus.builder()
                  .backend(common.dataSource(viaProxy).build())
                  .keepaliveInterval(Duration.ZERO)
                  .build();
          other) {
        LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        bus.subscribe("/news", (Message m) -> inbox.add(m.data()));
        bus.publish("/news", "before");
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("before");

        proxy.cut();
        assertThatThrownBy(() -> bus.publish("/news", "during"))
            .isInstanceOf(BackendException.class)
            .hasMessageContaining("PostgreSQL backend: publish to /news")
            .hasMessageContaining("failed");
        othersPublishWhileCutOff_thenEverythingArrivesOnce(
            proxy, other, bus, inbox, bus::isListening);
      }
    }
  }

  @Test
  void theApplicationsConnection_getsItsNetworkTimeoutBack() throws Exception {
    // A "pool" of one connection that, like some pools, does not reset what a borrower changed.
    try (java.sql.Connection real = pg.dataSource().getConnection()) {
      java.sql.Connection kept =
          (java.sql.Connection)
              java.lang.reflect.Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {java.sql.Connection.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                      return null; // handed back, kept open
                    }
                    try {
                      return method.invoke(real, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
      org.postgresql.ds.PGSimpleDataSource base = new org.postgresql.ds.PGSimpleDataSource();
      javax.sql.DataSource one =
          (javax.sql.DataSource)
              java.lang.reflect.Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {javax.sql.DataSource.class},
                  (proxy, method, args) ->
                      method.getName().equals("getConnection") ? kept : method.invoke(base, args));
      int before = kept.getNetworkTimeout();
      String name = pg.uniqueName();
      try (PostgresBackend b =
          PostgresBackend.builder()
              .dataSource(one)
              .schema(pg.schema)
              .tablePrefix(name)
              .notificationChannel(pg.schema + "_" + name)
              .networkTimeout(Duration.ofSeconds(7))
              .build()) {
        b.publish("/a", "{\"data\":1}", BackendPublishOptions.NONE);
        assertThat(b.lastId("/a")).isEqualTo(1);
      }
      assertThat(kept.getNetworkTimeout()).isEqualTo(before).isNotEqualTo(7_000);
    }
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails
  void aDatabaseThatSilentlyDropsPackets_ownPool_failsPublishesWithinTheTimeout_losesNothing()
      throws Exception {
    try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.POSTGRES_PORT)) {
      blackholeAndBack(proxy, b -> b.jdbcUrl(proxy.url(pg.url())).poolSize(4));
    }
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails
  void aDatabaseThatSilentlyDropsPackets_applicationPool_failsPublishesWithinTheTimeout()
      throws Exception {
    try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.POSTGRES_PORT);
        HikariDataSource viaProxy = PgTestSupport.pool(proxy.url(pg.url()), 4)) {
      blackholeAndBack(proxy, b -> b.dataSource(viaProxy));
    }
  }

  /**
   * A link that drops packets without a reset (the proxy keeps every connection open and forwards
   * nothing): without a network timeout the publish would wait for the operating system, minutes.
   * With two seconds, it fails as a lost connection, the LISTEN connection notices too (the backend
   * reports DISCONNECTED), and once packets flow again what another process published meanwhile
   * arrives once, in order.
   */
  private void blackholeAndBack(
      TcpProxy proxy, java.util.function.Consumer<PostgresBackend.Builder> connect)
      throws Exception {
    String name = pg.uniqueName();
    PostgresBackend.Builder mine = PostgresBackend.builder();
    connect.accept(mine);
    mine.schema(pg.schema)
        .tablePrefix(name)
        .notificationChannel(pg.schema + "_" + name)
        .reconnectDelay(FAST_RECONNECT)
        .networkTimeout(Duration.ofSeconds(2)); // a loaded CI machine stalls, but not for 2 s
    PostgresBackend other =
        PostgresBackend.builder()
            .dataSource(pg.dataSource())
            .schema(pg.schema)
            .tablePrefix(name)
            .notificationChannel(pg.schema + "_" + name)
            .build();
    try (MessageBus bus =
            MessageBus.builder().backend(mine.build()).keepaliveInterval(Duration.ZERO).build();
        other) {
      LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
      bus.subscribe("/news", (Message m) -> inbox.add(m.data()));
      await().atMost(Duration.ofSeconds(20)).until(bus::isListening);
      bus.publish("/news", "before");
      assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("before");

      proxy.blackhole();
      assertThatThrownBy(() -> bus.publish("/news", "during"))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("PostgreSQL backend: publish to /news");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> bus.backendState() == org.messagebus.BackendState.DISCONNECTED);
      othersPublishWhileCutOff_thenEverythingArrivesOnce(
          proxy,
          other,
          bus,
          inbox,
          () -> bus.backendState() == org.messagebus.BackendState.CONNECTED);
    }
  }

  /**
   * Another process publishes two messages while {@code bus} cannot reach the database (it has
   * published "before" and received it); then the proxy forwards again: both arrive once, in order,
   * then what {@code bus} publishes once {@code recovered} holds, and the backlog has all four.
   */
  private static void othersPublishWhileCutOff_thenEverythingArrivesOnce(
      TcpProxy proxy,
      PostgresBackend other,
      MessageBus bus,
      LinkedBlockingQueue<Object> inbox,
      java.util.concurrent.Callable<Boolean> recovered)
      throws Exception {
    other.publish("/news", "{\"data\":\"elsewhere 1\"}", BackendPublishOptions.NONE);
    other.publish("/news", "{\"data\":\"elsewhere 2\"}", BackendPublishOptions.NONE);
    proxy.restore();

    assertThat(inbox.poll(20, TimeUnit.SECONDS)).isEqualTo("elsewhere 1");
    assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("elsewhere 2");
    await().atMost(Duration.ofSeconds(20)).until(recovered);
    bus.publish("/news", "after");
    assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("after");
    assertThat(new ArrayList<>(inbox)).isEmpty();
    assertThat(bus.backlog("/news", 0))
        .extracting(Message::data)
        .containsExactly("before", "elsewhere 1", "elsewhere 2", "after");
  }
}
