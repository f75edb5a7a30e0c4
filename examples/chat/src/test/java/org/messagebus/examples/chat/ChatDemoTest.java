// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.servlet.MessageBusServer;
import org.slf4j.LoggerFactory;

/** The demo over real sockets: the page, publishing through /say, receiving by long poll. */
class ChatDemoTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private MessageBus bus;
  private MessageBusServer server;

  @BeforeEach
  void start() {
    bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    server = ChatDemo.start(bus, 0);
  }

  @AfterEach
  void stop() {
    server.close();
    bus.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> post(String path, String form, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheChatPage() throws Exception {
    HttpResponse<String> page =
        http.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("live chat")
        .contains("<script src=\"/message-bus-assets/message-bus.js\"></script>")
        .contains("MessageBus.shareConnection = true");
  }

  @Test
  void servesTheJavaScriptClientThePageLoads() throws Exception {
    HttpResponse<String> script =
        http.send(
            HttpRequest.newBuilder(uri("/message-bus-assets/message-bus.js")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("root.MessageBus = bus");
  }

  @Test
  void aMessageSaid_reachesAHeldPoll() throws Exception {
    CompletableFuture<HttpResponse<String>> held =
        http.sendAsync(
            HttpRequest.newBuilder(uri("/message-bus/reader/poll"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Dont-Chunk", "true")
                .POST(HttpRequest.BodyPublishers.ofString("%2Fchat=0&__seq=1"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.filter().heldPolls() == 1);

    assertThat(post("/say", "name=sam&text=hello+%E2%9C%93").statusCode()).isEqualTo(204);

    String body = held.get(10, TimeUnit.SECONDS).body();
    assertThat(body)
        .contains("\"channel\":\"/chat\"")
        .contains("\"name\":\"sam\"")
        .contains("hello ✓");
  }

  @Test
  void emptyText_isRejectedWithAReason() throws Exception {
    HttpResponse<String> r = post("/say", "name=sam&text=");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("text must not be empty");
    assertThat(bus.backlog(ChatDemo.CHANNEL, 0)).isEmpty();
  }

  @Test
  void diagnostics_areOpenToLocalVisitors_andThisProcessAnswers() throws Exception {
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(uri("/message-bus/_diagnostics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("diagnostics.js");

    assertThat(post("/message-bus/_diagnostics/discover", "").statusCode()).isEqualTo(200);
    String channel = "/_diagnostics/process-discovery";
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> post("/message-bus/demo-client/poll?dlp=t", channel + "=0").body(),
            body -> body.contains("\"pid\":" + ProcessHandle.current().pid()));
  }

  @Test
  void broadcastRoute_isEnabled() throws Exception {
    assertThat(post("/message-bus/broadcast", "channel=%2Fchat&data=hi").body()).isEqualTo("sent");
  }

  @Test
  void configuration_rejectsBadValuesWithTheirName() {
    assertThat(ChatDemo.port(null)).isEqualTo(9292);
    assertThat(ChatDemo.port("8080")).isEqualTo(8080);
    assertThatThrownBy(() -> ChatDemo.port("eighty")).hasMessageContaining("PORT");
    assertThatThrownBy(() -> ChatDemo.backend(java.util.Map.of("MESSAGE_BUS_BACKEND", "mongo")))
        .hasMessageContaining("MESSAGE_BUS_BACKEND");
    assertThatThrownBy(
            () ->
                ChatDemo.backend(
                    java.util.Map.of(
                        "MESSAGE_BUS_BACKEND",
                        "postgres",
                        "MESSAGE_BUS_POSTGRES_URL",
                        "mysql://x")))
        .hasMessageContaining("jdbc:postgresql:");
    assertThat(ChatDemo.backend(java.util.Map.of()))
        .isInstanceOf(org.messagebus.memory.MemoryBackend.class);
  }

  /**
   * A malformed Host header is answered 400 without a WARN line: Jetty logs each such request at
   * WARN (once per request, so a client could fill the log), and the demo's logging configuration
   * keeps those two loggers at ERROR.
   */
  @Test
  void malformedHostHeader_isRefused_withoutAWarningPerRequest() throws Exception {
    for (String host : new String[] {"a b", "x:99999"}) {
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                ("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        String reply =
            new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        assertThat(reply).isEqualTo("HTTP/1.1 400");
      }
    }
    for (String logger :
        new String[] {"org.eclipse.jetty.util.HostPort", "org.eclipse.jetty.http.HttpParser"}) {
      assertThat(LoggerFactory.getLogger(logger).isWarnEnabled()).as(logger).isFalse();
      assertThat(LoggerFactory.getLogger(logger).isErrorEnabled()).as(logger).isTrue();
    }
  }
}
