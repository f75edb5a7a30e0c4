// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket test client on the JDK's {@link WebSocket}: collects the text messages the server
 * sends, the pings, and the close code and reason. With {@code reading} false it stops asking for
 * messages after the first one (a consumer that does not read), until {@link #readAll()}.
 */
final class WsProbe implements WebSocket.Listener {

  record Close(int code, String reason) {}

  final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
  final CompletableFuture<Close> closed = new CompletableFuture<>();
  final AtomicInteger pings = new AtomicInteger();
  private final StringBuilder partial = new StringBuilder();
  private volatile boolean reading;
  volatile WebSocket socket;

  private WsProbe(boolean reading) {
    this.reading = reading;
  }

  /** Connects (and waits for the upgrade); {@code headers} are name, value pairs. */
  static WsProbe connect(HttpClient http, URI uri, String... headers) {
    return connect(http, uri, true, headers);
  }

  static WsProbe connect(HttpClient http, URI uri, boolean reading, String... headers) {
    WsProbe probe = new WsProbe(reading);
    probe.socket = builder(http, headers).buildAsync(uri, probe).join();
    return probe;
  }

  static WebSocket.Builder builder(HttpClient http, String... headers) {
    WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b;
  }

  void send(String text) {
    socket.sendText(text, true).join();
  }

  /** The next text message as messages (a JSON array), within 10 s. */
  List<Map<String, Object>> next() throws InterruptedException {
    String t = texts.poll(30, TimeUnit.SECONDS);
    assertThat(t).as("a message within 30 s").isNotNull();
    return ServerFixture.messages(t);
  }

  Close awaitClose() {
    return closed.orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** Starts reading again, everything that comes. */
  void readAll() {
    reading = true;
    socket.request(Long.MAX_VALUE);
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      texts.add(partial.toString());
      partial.setLength(0);
    }
    if (reading) {
      webSocket.request(1);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pings.incrementAndGet();
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(new Close(statusCode, reason));
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.completeExceptionally(error);
  }
}
