// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.MessageIdScheme;
import org.messagebus.spi.Retention;
import org.messagebus.testkit.Services;

/**
 * The recent-message window on the real PostgreSQL (global message ids): a poll at the current
 * position and a poll a few messages behind are answered without a read of the table, a position
 * ahead of what the process saw still reads it, and every message arrives once. Reads are counted
 * by a backend that wraps {@link PostgresBackend} and passes everything on. Its own table ({@value
 * #PREFIX}message_bus, dropped afterwards) and notification channel.
 */
class RecentWindowPostgresTest {

  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  private static final String PREFIX = "recent_window_it_";
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Passes everything to the real backend and counts the reads a poll can make. */
  static final class Counting implements Backend {
    final Backend delegate;
    final AtomicInteger reads = new AtomicInteger();

    Counting(Backend delegate) {
      this.delegate = delegate;
    }

    @Override
    public MessageIdScheme messageIdScheme() {
      return delegate.messageIdScheme();
    }

    @Override
    public long publish(String channel, String payload, BackendPublishOptions options) {
      return delegate.publish(channel, payload, options);
    }

    @Override
    public long lastId(String channel) {
      reads.incrementAndGet();
      return delegate.lastId(channel);
    }

    @Override
    public long[] lastIds(List<String> channels) {
      reads.incrementAndGet();
      return delegate.lastIds(channels);
    }

    @Override
    public long lastGlobalId() {
      return delegate.lastGlobalId();
    }

    @Override
    public List<BackendMessage> backlog(String channel, long lastId) {
      reads.incrementAndGet();
      return delegate.backlog(channel, lastId);
    }

    @Override
    public List<BackendMessage> globalBacklog(long lastGlobalId) {
      return delegate.globalBacklog(lastGlobalId);
    }

    @Override
    public BackendMessage getMessage(String channel, long messageId) {
      return delegate.getMessage(channel, messageId);
    }

    @Override
    public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
      return delegate.globalSubscribe(lastGlobalId, listener);
    }

    @Override
    public void reset() {
      delegate.reset();
    }

    @Override
    public void expireAllBacklogs() {
      delegate.expireAllBacklogs();
    }

    @Override
    public Retention retention() {
      return delegate.retention();
    }

    @Override
    public void stateListener(org.messagebus.BackendStateListener listener) {
      delegate.stateListener(listener);
    }

    @Override
    public void reconnect() {
      delegate.reconnect();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private MessageBus bus;
  private MessageBusServer server;
  private Counting backend;
  private final LinkedBlockingQueue<Message> dispatched = new LinkedBlockingQueue<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    Services.requirePostgres();
    dropTable();
    backend =
        new Counting(
            PostgresBackend.builder()
                .jdbcUrl(URL)
                .tablePrefix(PREFIX)
                .notificationChannel("recent_window_it")
                .build());
    bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    server =
        MessageBusServer.builder(bus)
            .port(0)
            .httpOptions(
                HttpTransportOptions.builder()
                    .longPollingInterval(Duration.ofSeconds(20))
                    .recentWindowMessages(4)
                    .build())
            .build()
            .start();
    // Registered after the server's engine: once this listener has a message, the window has it.
    bus.subscribeAll(dispatched::add);
    awaitDispatched(bus.publish("/probe", "p"));
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (bus != null) {
      bus.close();
    }
    dropTable();
  }

  private static void dropTable() throws Exception {
    try (Connection c = DriverManager.getConnection(URL);
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + PREFIX + "message_bus");
    }
  }

  private void awaitDispatched(long id) throws InterruptedException {
    while (true) {
      Message m = dispatched.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("message %d dispatched", id).isNotNull();
      if (m.messageId() >= id) {
        return;
      }
    }
  }

  private long publish(String channel, String data) throws InterruptedException {
    long id = bus.publish(channel, data);
    awaitDispatched(id);
    return id;
  }

  private CompletableFuture<HttpResponse<String>> longPoll(String clientId, String form) {
    return http.sendAsync(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + server.port() + "/message-bus/" + clientId + "/poll"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Dont-Chunk", "true")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void currentAndRecentPolls_readNothing_aheadReadsTheTable_andEveryMessageArrivesOnce()
      throws Exception {
    long first = publish("/a", "one");
    publish("/b", "other channel"); // global ids: /a's ids have holes
    long second = publish("/a", "two");

    int before = backend.reads.get();
    HttpResponse<String> behind =
        longPoll("c1", "/a=" + first).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(behind.body()).contains("\"two\"").doesNotContain("\"one\"");
    assertThat(backend.reads.get() - before).as("a poll behind, within the window").isZero();

    CompletableFuture<HttpResponse<String>> current = longPoll("c2", "/a=" + second);
    await().atMost(WAIT).until(() -> server.filter().heldPolls() == 1);
    assertThat(backend.reads.get() - before).as("a poll at the current position").isZero();
    publish("/a", "three");
    String live = current.get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
    assertThat(live).contains("\"three\"").doesNotContain("\"two\"");
    assertThat(backend.reads.get() - before).as("the push asked nothing either").isZero();

    HttpResponse<String> ahead =
        longPoll("c3", "/a=" + (second + 1_000)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(backend.reads.get() - before).as("ahead of what this process saw").isPositive();
    assertThat(ahead.body()).contains("/__status");
  }
}
