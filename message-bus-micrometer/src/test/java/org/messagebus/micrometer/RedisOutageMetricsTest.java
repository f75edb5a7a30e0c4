// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.BackendException;
import org.messagebus.MessageBus;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.testkit.PrivateRedis;

/**
 * Issue 15's "Done when" with a real Redis outage: a {@link SimpleMeterRegistry} bound to a bus on
 * a private {@code redis-server} (a free port and a temporary folder of its own; the shared 6379 is
 * never touched) and to its HTTP engine on a real Jetty. The test drives publishes, one poll of
 * every mode (poll, long poll, stream, Server-Sent Events, WebSocket), a listener failure, then
 * stops Redis (publishes queue in memory until the queue is full, then fail) and starts it again
 * (the queue is written and dispatched), asserting each meter moved by exactly what happened.
 * Skipped loudly without {@code redis-server} (failed with CI=true).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisOutageMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int MAX_QUEUED = 3;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private PrivateRedis redis;
  private MessageBus bus;
  private MessageBusServer server;

  @BeforeEach
  void start() throws Exception {
    redis = PrivateRedis.start();
    bus =
        MessageBus.builder()
            .backend(
                RedisBackend.builder()
                    .uri(redis.uri())
                    .retryInterval(Duration.ofMillis(100))
                    .maxInMemoryPublishBacklog(MAX_QUEUED)
                    .build())
            .keepaliveInterval(Duration.ZERO)
            .build();
    server =
        MessageBusServer.builder(bus)
            .port(0)
            .httpOptions(
                HttpTransportOptions.builder()
                    // long enough for the three held connections to be held at once
                    .longPollingInterval(Duration.ofSeconds(4))
                    .sseMaxDuration(Duration.ofSeconds(4))
                    .sseMinDuration(Duration.ofSeconds(4))
                    .build())
            .webSocket(WebSocketOptions.defaults())
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (bus != null) {
      bus.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private double counter(String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private double functionCounter(String name) {
    return registry.get(name).functionCounter().count();
  }

  private double publishes(String outcome) {
    return registry
        .get("messagebus.publishes")
        .tags("backend", "redis", "outcome", outcome)
        .functionCounter()
        .count();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + "/message-bus/" + path);
  }

  private HttpRequest.Builder poll(String clientId, String query, String form) {
    return HttpRequest.newBuilder(uri(clientId + "/poll" + query))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  @Test
  void publishesPollsOfEveryMode_aListenerFailure_andARealRedisOutage_moveEachMeterExactly()
      throws Exception {
    MessageBusMetrics.bind(bus, registry);
    HttpEngineMetrics.bind(server.filter().engine(), registry);
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    bus.subscribe(
        "/r",
        m -> {
          received.add(m.data());
          if ("boom".equals(m.data())) {
            throw new IllegalStateException("listener failure (test)");
          }
        });
    await().atMost(WAIT).until(() -> server.filter().engine().isListening());
    assertThat(gauge("messagebus.backend.state")).isEqualTo(1);

    // Two publishes and a listener failure.
    bus.publish("/r", "one");
    bus.publish("/r", "boom");
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("one");
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("boom");
    assertThat(publishes("ok")).isEqualTo(2);
    await().atMost(WAIT).until(() -> counter("messagebus.listener.failures") == 1);

    // One poll of every mode.
    long last = bus.lastId("/r");
    assertThat(
            http.send(poll("p", "?dlp=t", "/r=0").build(), HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);
    // counted when the exchange ends, which may be just after the client has the reply
    await()
        .atMost(WAIT)
        .until(() -> counter("messagebus.http.polls", "mode", "poll", "outcome", "data") == 1);
    CompletableFuture<HttpResponse<String>> longPoll =
        http.sendAsync(
            poll("l", "", "/r=" + last).header("Dont-Chunk", "true").build(),
            HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<String>> stream =
        http.sendAsync(poll("s", "", "/r=" + last).build(), HttpResponse.BodyHandlers.ofString());
    CompletableFuture<HttpResponse<InputStream>> sse =
        http.sendAsync(
            HttpRequest.newBuilder(uri("e/sse?/r=" + last)).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
    BlockingQueue<CharSequence> wsTexts = new LinkedBlockingQueue<>();
    WebSocket ws =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://127.0.0.1:" + server.port() + "/message-bus/w/ws"),
                new WebSocket.Listener() {
                  @Override
                  public java.util.concurrent.CompletionStage<?> onText(
                      WebSocket w, CharSequence data, boolean lastPart) {
                    wsTexts.add(data);
                    w.request(1);
                    return null;
                  }
                })
            .join();
    ws.sendText("{\"subscribe\":{\"/r\":" + last + "}}", true).join();
    await().atMost(WAIT).until(() -> gauge("messagebus.http.held") == 3);
    bus.publish("/r", "three");
    assertThat(longPoll.get(10, TimeUnit.SECONDS).body()).contains("three");
    assertThat(stream.get(10, TimeUnit.SECONDS).body()).contains("three");
    assertThat(new String(sse.get(10, TimeUnit.SECONDS).body().readAllBytes())).contains("three");
    assertThat(wsTexts.poll(10, TimeUnit.SECONDS).toString()).contains("three");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    await()
        .atMost(WAIT)
        .until(
            () ->
                counter("messagebus.http.polls", "mode", "long_poll", "outcome", "data") == 1
                    && counter("messagebus.http.polls", "mode", "stream", "outcome", "timeout") == 1
                    && counter("messagebus.http.polls", "mode", "sse", "outcome", "timeout") == 1
                    && counter("messagebus.http.websocket.closes", "code", "client") == 1);
    assertThat(counter("messagebus.http.websocket.opens")).isEqualTo(1);
    assertThat(counter("messagebus.http.polls")).isEqualTo(4);
    // the poll's backlog of two, then "three" to each of the four held connections
    assertThat(counter("messagebus.http.deliveries")).isEqualTo(2 + 4);
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("three");
    assertThat(publishes("ok")).isEqualTo(3);

    // Redis goes away: a disconnect; publishes queue in memory up to the cap, then fail.
    redis.stop();
    await().atMost(WAIT).until(() -> gauge("messagebus.backend.state") == 0);
    assertThat(functionCounter("messagebus.backend.disconnects")).isEqualTo(1);
    for (int i = 0; i < MAX_QUEUED; i++) {
      assertThat(bus.publish("/r", "queued" + i)).isEqualTo(MessageBus.NO_ID);
    }
    assertThat(publishes("queued")).isEqualTo(MAX_QUEUED);
    assertThat(gauge("messagebus.backend.queued")).isEqualTo(MAX_QUEUED);
    assertThatThrownBy(() -> bus.publish("/r", "refused")).isInstanceOf(BackendException.class);
    assertThat(publishes("failed")).isEqualTo(1);
    assertThat(gauge("messagebus.backend.queued")).isEqualTo(MAX_QUEUED);

    // It is back: a reconnect, the queue written (in order) and dispatched, nothing dropped.
    redis.restart();
    await().atMost(WAIT).until(() -> gauge("messagebus.backend.state") == 1);
    await().atMost(WAIT).until(() -> gauge("messagebus.backend.queued") == 0);
    for (int i = 0; i < MAX_QUEUED; i++) {
      assertThat(received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("queued" + i);
    }
    assertThat(functionCounter("messagebus.backend.reconnects")).isEqualTo(1);
    assertThat(functionCounter("messagebus.backend.disconnects")).isEqualTo(1);
    assertThat(counter("messagebus.backend.publish.dropped")).isZero();
    await().atMost(WAIT).until(() -> counter("messagebus.dispatch.messages") == 3 + MAX_QUEUED);
    assertThat(publishes("ok")).isEqualTo(3);
    assertThat(publishes("queued")).isEqualTo(MAX_QUEUED);
    assertThat(publishes("failed")).isEqualTo(1);
    assertThat(counter("messagebus.listener.failures")).isEqualTo(1);
    assertThat(received).isEmpty();
    assertThat(List.copyOf(received)).isEmpty();
  }
}
