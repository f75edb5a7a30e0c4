// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * The meters of the Server-Sent Events and WebSocket transports, over a real Jetty on a socket:
 * connections open by transport, SSE streams counted as polls of mode {@code sse} with their
 * outcome, WebSockets opened, closed by close code and refused by status, and the messages and
 * bytes of both counted with those of polls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpTransportMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration SSE_LIFETIME = Duration.ofMinutes(1);

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  // The endpoint's clock: streams end when the test moves it (no timer thread), not on a deadline
  // a loaded machine could miss.
  private final AtomicLong now = new AtomicLong();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final MessageBusServer server =
      MessageBusServer.builder(bus)
          .port(0)
          .httpOptions(
              HttpTransportOptions.builder()
                  .ticker(now::get)
                  .timerThread(false)
                  .sseMaxDuration(SSE_LIFETIME)
                  .sseMinDuration(SSE_LIFETIME)
                  .build())
          .webSocket(WebSocketOptions.defaults())
          .build()
          .start();

  @AfterEach
  void stop() {
    server.close();
    bus.close();
  }

  private double counter(String name, String... tags) {
    // the sum over the counters that match (e.g. every outcome of a mode)
    return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  private double connections(String transport) {
    return registry.get("messagebus.http.connections").tag("transport", transport).gauge().value();
  }

  private static String text(ByteArrayOutputStream read) {
    synchronized (read) {
      return read.toString(StandardCharsets.UTF_8);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + "/message-bus/" + path);
  }

  @Test
  void serverSentEvents_areCountedAsPollsOfModeSse_withTheirMessagesAndBytes() throws Exception {
    HttpEngineMetrics.bind(server.filter().engine(), registry);
    await().atMost(WAIT).until(() -> server.filter().engine().isListening());
    bus.publish("/s", "backlog");

    // The stream opens with its backlog (one event), gets one live message, then its lifetime
    // ends it: one poll of mode sse, outcome timeout; two messages; exactly the bytes it read.
    HttpRequest open = HttpRequest.newBuilder(uri("sse1/sse?/s=0")).GET().build();
    HttpResponse<InputStream> r =
        http.sendAsync(open, HttpResponse.BodyHandlers.ofInputStream())
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    CompletableFuture<Void> toTheEnd =
        CompletableFuture.runAsync(
            () -> {
              byte[] buf = new byte[1024];
              try (InputStream in = r.body()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                  synchronized (read) {
                    read.write(buf, 0, n);
                  }
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    await().atMost(WAIT).until(() -> connections("sse") == 1);
    assertThat(registry.get("messagebus.http.held").gauge().value()).isEqualTo(1);
    bus.publish("/s", "live");
    await().atMost(WAIT).until(() -> text(read).contains("live"));
    assertThat(text(read)).contains("backlog");
    now.addAndGet(SSE_LIFETIME.plusSeconds(1).toNanos());
    server.filter().engine().expireTimeouts();
    toTheEnd.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    byte[] body;
    synchronized (read) {
      body = read.toByteArray();
    }

    await().atMost(WAIT).until(() -> counter("messagebus.http.polls", "mode", "sse") == 1);
    assertThat(counter("messagebus.http.polls", "mode", "sse", "outcome", "timeout")).isEqualTo(1);
    assertThat(connections("sse")).isZero();
    assertThat(counter("messagebus.http.deliveries")).isEqualTo(2);
    assertThat(counter("messagebus.http.bytes")).isEqualTo(body.length);

    // A Last-Event-ID with two positions for one channel is a client error of mode sse.
    HttpResponse<String> bad =
        http.send(
            HttpRequest.newBuilder(uri("sse2/sse?/s=0"))
                .header("Last-Event-ID", "1,2")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    // counted when the exchange ends, which may be just after the client has the reply
    await()
        .atMost(WAIT)
        .until(
            () -> counter("messagebus.http.polls", "mode", "sse", "outcome", "client_error") == 1);
  }

  @Test
  void webSockets_opensClosesByCodeRefusals_andTheirMessagesAndBytes() throws Exception {
    HttpEngineMetrics.bind(server.filter().engine(), registry);
    await().atMost(WAIT).until(() -> server.filter().engine().isListening());
    bus.publish("/w", "backlog");

    // A socket subscribes from 0: its backlog (one text of one message, plus nothing else), then
    // one live message; then the client closes it.
    Probe good = Probe.connect(http, ws("good"));
    assertThat(counter("messagebus.http.websocket.opens")).isEqualTo(1);
    await().atMost(WAIT).until(() -> connections("websocket") == 1);
    good.socket.sendText("{\"subscribe\":{\"/w\":0}}", true).join();
    String first = good.next();
    assertThat(first).contains("backlog");
    bus.publish("/w", "live");
    String second = good.next();
    assertThat(second).contains("live");
    await().atMost(WAIT).until(() -> counter("messagebus.http.deliveries") == 2);
    assertThat(counter("messagebus.http.bytes"))
        .isEqualTo(
            first.getBytes(StandardCharsets.UTF_8).length
                + second.getBytes(StandardCharsets.UTF_8).length);
    good.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    await()
        .atMost(WAIT)
        .until(() -> counter("messagebus.http.websocket.closes", "code", "client") == 1);
    await().atMost(WAIT).until(() -> connections("websocket") == 0);

    // A bad frame: closed by the server with 4400.
    Probe bad = Probe.connect(http, ws("bad"));
    bad.socket.sendText("{\"nonsense\":1}", true).join();
    assertThat(bad.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(4400);
    await()
        .atMost(WAIT)
        .until(() -> counter("messagebus.http.websocket.closes", "code", "4400") == 1);
    assertThat(counter("messagebus.http.websocket.opens")).isEqualTo(2);

    // An origin that is not allowed: refused with 403, never opened.
    CompletableFuture<WebSocket> refused =
        http.newWebSocketBuilder()
            .header("Origin", "https://elsewhere.example")
            .buildAsync(ws("evil"), new Probe())
            .handle((s, e) -> s);
    assertThat(refused.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNull();
    assertThat(counter("messagebus.http.websocket.refusals", "status", "403")).isEqualTo(1);
    assertThat(counter("messagebus.http.websocket.opens")).isEqualTo(2);

    // The server shuts down: an open socket is closed with 1001.
    Probe last = Probe.connect(http, ws("last"));
    await().atMost(WAIT).until(() -> connections("websocket") == 1);
    server.close();
    assertThat(last.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(1001);
    assertThat(counter("messagebus.http.websocket.closes", "code", "1001")).isEqualTo(1);
    assertThat(counter("messagebus.http.websocket.closes")).isEqualTo(3);
  }

  private URI ws(String clientId) {
    return URI.create("ws://127.0.0.1:" + server.port() + "/message-bus/" + clientId + "/ws");
  }

  /** A WebSocket client: the texts it receives and the close code. */
  static final class Probe implements WebSocket.Listener {
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    volatile WebSocket socket;

    static Probe connect(HttpClient http, URI uri) {
      Probe p = new Probe();
      p.socket = http.newWebSocketBuilder().buildAsync(uri, p).join();
      return p;
    }

    String next() throws InterruptedException {
      String t = texts.poll(10, TimeUnit.SECONDS);
      assertThat(t).as("a message within 10 s").isNotNull();
      return t;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        texts.add(partial.toString());
        partial.setLength(0);
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
