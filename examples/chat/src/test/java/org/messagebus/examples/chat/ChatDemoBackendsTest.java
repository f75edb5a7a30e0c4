// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.testkit.Services;

/**
 * The demo on {@code MESSAGE_BUS_BACKEND=redis} and {@code postgres}, against the real local
 * services (skipped with the reason outside CI when one is down; a failure with {@code CI=true}).
 * Redis: database 12 of the shared server; PostgreSQL: a schema of its own in {@code test}.
 */
class ChatDemoBackendsTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void redis() throws Exception {
    Services.requireRedis();
    Map<String, String> env =
        Map.of("MESSAGE_BUS_BACKEND", "redis", "MESSAGE_BUS_REDIS_URL", Services.redisUri(12));
    try (var backend = ChatDemo.backend(env)) {
      assertThat(backend).isInstanceOf(RedisBackend.class);
    }
    sayAndReceive(env);
  }

  @Test
  void postgres() throws Exception {
    Services.requirePostgres();
    String schema = "mb_chat_demo_" + ProcessHandle.current().pid();
    String base = Services.postgresUrl();
    try (Connection c = DriverManager.getConnection(base);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
    }
    try {
      Map<String, String> env =
          Map.of(
              "MESSAGE_BUS_BACKEND",
              "postgres",
              "MESSAGE_BUS_POSTGRES_URL",
              base + "&currentSchema=" + schema);
      try (var backend = ChatDemo.backend(env)) {
        assertThat(backend).isInstanceOf(PostgresBackend.class);
      }
      sayAndReceive(env);
    } finally {
      try (Connection c = DriverManager.getConnection(base);
          Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      } catch (SQLException e) {
        // best effort: the schema name is unique per run
      }
    }
  }

  private void sayAndReceive(Map<String, String> env) throws Exception {
    try (MessageBus bus =
        MessageBus.builder()
            .backend(ChatDemo.backend(env))
            .keepaliveInterval(Duration.ZERO)
            .build()) {
      MessageBusServer server = ChatDemo.start(bus, 0);
      try {
        long last = bus.lastId(ChatDemo.CHANNEL);
        CompletableFuture<HttpResponse<String>> held =
            http.sendAsync(
                form(
                    server,
                    "/message-bus/backend-test/poll",
                    "/chat=" + last,
                    "Dont-Chunk",
                    "true"),
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> server.filter().heldPolls() == 1);
        String text = "via " + env.get("MESSAGE_BUS_BACKEND") + " ✓";
        HttpResponse<String> said =
            http.send(
                form(server, "/say", "name=sam&text=" + java.net.URLEncoder.encode(text, "UTF-8")),
                HttpResponse.BodyHandlers.ofString());
        assertThat(said.statusCode()).isEqualTo(204);
        String body = held.get(20, TimeUnit.SECONDS).body();
        assertThat(body).contains("\"channel\":\"/chat\"").contains(text);
      } finally {
        server.close();
      }
    }
  }

  private static HttpRequest form(
      MessageBusServer server, String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }
}
