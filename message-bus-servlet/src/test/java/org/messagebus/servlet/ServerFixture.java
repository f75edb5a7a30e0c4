// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.messagebus.MessageBus;
import org.messagebus.Subscription;

/** A memory bus served by a real Jetty on a free port, and helpers to poll it. */
final class ServerFixture implements AutoCloseable {

  final MessageBus bus;
  final MessageBusServer server;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  ServerFixture(MessageBus bus, HttpTransportOptions options) {
    this(bus, MessageBusServer.builder(bus).port(0).httpOptions(options));
  }

  /**
   * A server built by the given builder (which should use port 0), with the adapter the test run
   * asks for: the suite runs once per adapter (system property {@value #ADAPTER}, set by the
   * surefire executions), AUTO when unset.
   */
  ServerFixture(MessageBus bus, MessageBusServer.Builder server) {
    this.bus = bus;
    this.server = server.adapter(adapter()).build().start();
    // Registered after the engine's own subscription: the bus calls every-channel listeners in
    // registration order on its dispatch thread, so when this one has seen a message the engine
    // has too (its recent window and its held polls).
    this.dispatchMark = bus.subscribeAll(m -> dispatched.accumulateAndGet(m.globalId(), Math::max));
  }

  private final AtomicLong dispatched = new AtomicLong();
  private final Subscription dispatchMark;

  /**
   * Waits until the server has dispatched the message with this global id. A test that publishes
   * and then expects a reply or a stream's backlog to carry that message <em>in its first
   * piece</em> needs it: before the dispatch, the engine's recent window may answer from what it
   * has seen, and the message then arrives a moment later as a live push instead (correct, but not
   * what such a test asserts).
   */
  void awaitDispatched(long globalId) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dispatched.get() >= globalId);
  }

  /** The system property naming the adapter of this test run. */
  static final String ADAPTER = "messagebus.test.adapter";

  /** The adapter of this run: SERVLET forces the filter, otherwise AUTO (core where possible). */
  static MessageBusServer.Adapter adapter() {
    return MessageBusServer.Adapter.valueOf(System.getProperty(ADAPTER, "AUTO"));
  }

  static ServerFixture start(HttpTransportOptions.Builder options) {
    return new ServerFixture(
        MessageBus.builder().keepaliveInterval(Duration.ZERO).build(), options.build());
  }

  int port() {
    return server.port();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  /** A form poll; {@code headers} are name, value pairs. */
  HttpResponse<String> poll(String path, String form, String... headers)
      throws IOException, InterruptedException {
    return http.send(formRequest(path, form, headers), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> pollAsync(String path, String form, String... headers) {
    return http.sendAsync(formRequest(path, form, headers), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest formRequest(String path, String form, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** Parses a JSON array reply into maps. */
  static java.util.List<java.util.Map<String, Object>> messages(String body) {
    try {
      return JSON.readValue(
          body,
          new com.fasterxml.jackson.core.type.TypeReference<
              java.util.List<java.util.Map<String, Object>>>() {});
    } catch (IOException e) {
      throw new AssertionError("not a JSON array: " + body, e);
    }
  }

  /** An immediate form poll ({@code dlp=t}) parsed into messages. */
  java.util.List<java.util.Map<String, Object>> pollNow(
      String clientId, String form, String... headers) throws IOException, InterruptedException {
    HttpResponse<String> r = poll("/message-bus/" + clientId + "/poll?dlp=t", form, headers);
    if (r.statusCode() != 200) {
      throw new AssertionError("status " + r.statusCode() + ": " + r.body());
    }
    return messages(r.body());
  }

  @Override
  public void close() {
    dispatchMark.unsubscribe();
    server.close();
    bus.close();
  }
}
