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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.spi.Backend;
import org.messagebus.testkit.Services;

/**
 * The fixture of the tests of the recent-message window and the loss signal on a real store ({@link
 * RecentWindowRedisTest}, {@link RecentWindowPostgresTest}, {@link LossSignalRedisTest}, {@link
 * LossSignalPostgresTest}): a bus on the shared Redis or PostgreSQL (no keepalives), served by
 * {@link MessageBusServer} on a free port with long polls held {@value #LONG_POLL_SECONDS} s and a
 * recent window of {@value #WINDOW} messages; a queue of every message the bus dispatches, filled
 * by a listener registered after the server's engine, so that once the queue has a message the
 * window has it; and an HTTP/1.1 client to poll the server with.
 *
 * <p>{@link #onRedis} and {@link #onPostgres} require the store (the testkit's {@link Services}
 * rule), clean the test's part of it (its Redis database, its table), and return once a probe
 * message has been through the queue. {@link #close} closes the server and the bus, then cleans the
 * store's part again; a start that fails does the same before it throws.
 */
final class RecentWindowServer implements AutoCloseable {

  /** How long any wait of these tests may take: a dispatch, a poll's answer, a held poll. */
  static final Duration WAIT = Duration.ofSeconds(10);

  /** The recent window's size, in messages. */
  static final int WINDOW = 4;

  private static final int LONG_POLL_SECONDS = 20;

  private static final String POSTGRES_URL = Services.postgresUrl();

  /** Cleans the test's part of the store. */
  private interface StoreCleaning {
    void clean() throws SQLException;
  }

  private final MessageBus bus;
  private final MessageBusServer server;
  private final StoreCleaning cleaning;
  private final LinkedBlockingQueue<Message> dispatched = new LinkedBlockingQueue<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private RecentWindowServer(MessageBus bus, MessageBusServer server, StoreCleaning cleaning) {
    this.bus = bus;
    this.server = server;
    this.cleaning = cleaning;
  }

  /**
   * Starts on database {@code db} of the shared Redis (flushed before and after), with the
   * notification channel {@code notificationChannel}.
   */
  static RecentWindowServer onRedis(int db, String notificationChannel) throws Exception {
    RedisSupport.requireRedis();
    RedisSupport.flushDb(db);
    return start(
        () ->
            RedisBackend.builder()
                .uri(RedisSupport.uri(db))
                .notificationChannel(notificationChannel)
                .build(),
        () -> RedisSupport.flushDb(db));
  }

  /**
   * Starts on the table {@code tablePrefix}{@code message_bus} of the shared PostgreSQL (dropped
   * before and after), with the notification channel {@code notificationChannel}.
   */
  static RecentWindowServer onPostgres(String tablePrefix, String notificationChannel)
      throws Exception {
    return onPostgres(tablePrefix, notificationChannel, UnaryOperator.identity());
  }

  /**
   * As {@link #onPostgres(String, String)}, with the bus on {@code wrap} applied to the PostgreSQL
   * backend (a backend that counts what the bus asks of it, say).
   */
  static RecentWindowServer onPostgres(
      String tablePrefix, String notificationChannel, UnaryOperator<Backend> wrap)
      throws Exception {
    Services.requirePostgres();
    dropTable(tablePrefix);
    return start(
        () ->
            wrap.apply(
                PostgresBackend.builder()
                    .jdbcUrl(POSTGRES_URL)
                    .tablePrefix(tablePrefix)
                    .notificationChannel(notificationChannel)
                    .build()),
        () -> dropTable(tablePrefix));
  }

  private static void dropTable(String tablePrefix) throws SQLException {
    try (Connection c = DriverManager.getConnection(POSTGRES_URL);
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + tablePrefix + "message_bus");
    }
  }

  private static RecentWindowServer start(Supplier<Backend> backend, StoreCleaning cleaning)
      throws Exception {
    MessageBus bus = null;
    MessageBusServer server = null;
    try {
      bus = MessageBus.builder().backend(backend.get()).keepaliveInterval(Duration.ZERO).build();
      server =
          MessageBusServer.builder(bus)
              .port(0)
              .httpOptions(
                  HttpTransportOptions.builder()
                      .longPollingInterval(Duration.ofSeconds(LONG_POLL_SECONDS))
                      .recentWindowMessages(WINDOW)
                      .build())
              .build()
              .start();
      RecentWindowServer started = new RecentWindowServer(bus, server, cleaning);
      // Registered after the server's engine: once this listener has a message, the window has it.
      bus.subscribeAll(started.dispatched::add);
      started.awaitDispatched("/probe", bus.publish("/probe", "p"));
      return started;
    } catch (Throwable t) {
      if (server != null) {
        server.close();
      }
      if (bus != null) {
        bus.close();
      }
      try {
        cleaning.clean();
      } catch (SQLException | RuntimeException e) {
        t.addSuppressed(e);
      }
      throw t;
    }
  }

  MessageBus bus() {
    return bus;
  }

  MessageBusServer server() {
    return server;
  }

  HttpClient http() {
    return http;
  }

  /**
   * Takes dispatched messages until one is {@code wanted}, failing with {@code description} when
   * none comes within {@link #WAIT}; returns it.
   */
  Message awaitDispatched(String description, Predicate<Message> wanted)
      throws InterruptedException {
    while (true) {
      Message m = dispatched.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as(description).isNotNull();
      if (wanted.test(m)) {
        return m;
      }
    }
  }

  /** Waits for the dispatch of message {@code messageId} of {@code channel}, exactly that one. */
  void awaitDispatched(String channel, long messageId) throws InterruptedException {
    awaitDispatched(
        String.format("%s %d dispatched", channel, messageId),
        m -> m.channel().equals(channel) && m.messageId() == messageId);
  }

  /**
   * Waits for the dispatch of a message whose id is {@code messageId} or above, of any channel: on
   * a store of global ids, dispatched in id order, every message up to it has been dispatched then.
   */
  void awaitDispatchedUpTo(long messageId) throws InterruptedException {
    awaitDispatched(
        String.format("message %d dispatched", messageId), m -> m.messageId() >= messageId);
  }

  /** Waits until the server holds exactly {@code n} polls. */
  void awaitHeld(int n) {
    await().atMost(WAIT).until(() -> server.filter().heldPolls() == n);
  }

  /** A form-encoded POST of {@code form} to client {@code clientId}'s poll route, chunked reply. */
  HttpRequest.Builder pollRequest(String clientId, String form) {
    return post("/message-bus/" + clientId + "/poll", form);
  }

  /** Sends a long poll of client {@code clientId} that asks for an unchunked reply. */
  CompletableFuture<HttpResponse<String>> longPoll(String clientId, String form) {
    return http.sendAsync(
        pollRequest(clientId, form).header("Dont-Chunk", "true").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Polls as client {@code c} with the query string {@code query} (unchunked), waits at most {@link
   * #WAIT} for the answer, asserts its status is 200 and returns its body.
   */
  String poll(String query, String form) throws Exception {
    HttpResponse<String> r =
        http.sendAsync(
                post("/message-bus/c/poll?" + query, form).header("Dont-Chunk", "true").build(),
                HttpResponse.BodyHandlers.ofString())
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private HttpRequest.Builder post(String pathAndQuery, String form) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  /** Closes the server and the bus, then cleans the test's part of the store. */
  @Override
  public void close() throws SQLException {
    server.close();
    bus.close();
    cleaning.clean();
  }
}
