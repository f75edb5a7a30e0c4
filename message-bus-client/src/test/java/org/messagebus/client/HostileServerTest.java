// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server answering garbage, truncated streams, 500s and 429s: the client reports each failure,
 * backs off, never crashes and never busy-loops.
 */
class HostileServerTest {

  private HttpServer server;
  private MessageBusClient client;
  private final AtomicInteger requests = new AtomicInteger();
  private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
  private final List<Duration> retries = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    server.stop(0);
  }

  private interface Reply {
    void write(com.sun.net.httpserver.HttpExchange ex) throws IOException;
  }

  private void serve(Reply reply) throws IOException {
    serve(reply, null);
  }

  /** Serves the reply to a client whose time is the given scheduler's (null: the wall clock). */
  private void serve(Reply reply, Scheduler time) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          requests.incrementAndGet();
          ex.getRequestBody().readAllBytes();
          try {
            reply.write(ex);
          } finally {
            ex.close();
          }
        });
    server.start();
    MessageBusClient.Builder b =
        MessageBusClient.builder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"))
            .minPollInterval(Duration.ofMillis(50))
            .maxPollInterval(Duration.ofSeconds(2))
            .minRetryAfter(Duration.ofMillis(100))
            .errorListener(
                new ClientErrorListener() {
                  @Override
                  public void onPollFailed(Throwable error, int consecutive, Duration retryIn) {
                    failures.add(error);
                    retries.add(retryIn);
                  }
                });
    if (time != null) {
      b.scheduler(time);
    }
    client = b.build();
  }

  private static void send(
      com.sun.net.httpserver.HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (type != null) {
      ex.getResponseHeaders().set("Content-Type", type);
    }
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Test
  void garbageJson_isReportedAndBackedOff() throws Exception {
    serve(ex -> send(ex, 200, "application/json; charset=utf-8", "<html>surprise</html>"));
    client.subscribe("/x", m -> {});

    assertThat(failures.poll(10, TimeUnit.SECONDS)).hasMessageContaining("not valid JSON");
    await().atMost(Duration.ofSeconds(10)).until(() -> client.consecutiveFailures() >= 3);
    assertThat(client.status()).isEqualTo(MessageBusClient.Status.STARTED);
  }

  @Test
  void serverErrors_backOffExponentially_noBusyLoop() throws Exception {
    ManualScheduler time = new ManualScheduler();
    serve(ex -> send(ex, 500, "text/plain", "boom"), time);
    client.subscribe("/x", m -> {});

    // From 50 ms, doubled per failure, at most 2 s; not one request more than the pauses allow.
    List<Duration> pauses = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      Duration pause = time.runUntilPause();
      assertThat(requests.get()).as("requests after failure %d", i).isEqualTo(i);
      pauses.add(pause);
      time.advance(pause);
    }

    assertThat(pauses)
        .extracting(Duration::toMillis)
        .containsExactly(100L, 200L, 400L, 800L, 1600L, 2000L, 2000L);
    assertThat(retries).isEqualTo(pauses);
    assertThat(failures.poll()).hasMessageContaining("HTTP 500").hasMessageContaining("boom");
    assertThat(client.consecutiveFailures()).isEqualTo(7);
  }

  @Test
  void tooManyRequests_waitsForRetryAfter_inSecondsOrAsADate() throws Exception {
    ManualScheduler time = new ManualScheduler();
    // The second reply comes after the first pause (1 s): 30 s from then, by the client's clock.
    String inThirtySeconds =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            ManualScheduler.START.plusSeconds(1 + 30).atZone(ZoneOffset.UTC));
    List<String> retryAfter = List.of("1", inThirtySeconds, "soon", "0");
    serve(
        ex -> {
          int n = requests.get() - 1;
          ex.getResponseHeaders().set("Retry-After", retryAfter.get(Math.min(n, 3)));
          send(ex, 429, "text/plain", "slow down");
        },
        time);
    client.subscribe("/x", m -> {});

    List<Duration> pauses = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      Duration pause = time.runUntilPause();
      assertThat(requests.get()).isEqualTo(i);
      pauses.add(pause);
      time.advance(pause);
    }

    // Seconds; a date by the client's clock; unreadable and too short: minRetryAfter (100 ms).
    assertThat(pauses)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            Duration.ofMillis(100));
    assertThat(failures.poll()).hasMessageContaining("429");
  }

  @Test
  void truncatedStream_isAFailure_andNothingIsDispatched() throws Exception {
    serve(
        ex -> {
          ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
          ex.sendResponseHeaders(200, 0);
          OutputStream out = ex.getResponseBody();
          out.write(
              "[{\"global_id\":1,\"message_id\":1,\"channel\":\"/x\",\"da"
                  .getBytes(StandardCharsets.UTF_8));
          out.close();
        });
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    client.subscribe("/x", got::add);

    assertThat(failures.poll(10, TimeUnit.SECONDS))
        .hasMessageContaining("stream ended inside a piece");
    assertThat(got).isEmpty();
  }

  @Test
  void unreachableServer_staysStartedAndCountsFailures() throws Exception {
    serve(ex -> send(ex, 200, "application/json; charset=utf-8", "[]"));
    int port = server.getAddress().getPort();
    server.stop(0);
    client.close();
    client =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + port + "/"))
            .minPollInterval(Duration.ofMillis(20))
            .maxPollInterval(Duration.ofMillis(200))
            .build();

    client.subscribe("/x", m -> {});

    await().atMost(Duration.ofSeconds(10)).until(() -> client.consecutiveFailures() >= 2);
    assertThat(client.status()).isEqualTo(MessageBusClient.Status.STARTED);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0); // for @AfterEach
  }
}
