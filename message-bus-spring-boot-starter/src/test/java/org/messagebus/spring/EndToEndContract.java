// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.servlet.MessageBusFilter;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The starter in a real Spring Boot application on an embedded container over a real socket:
 * publish through the injected bus, receive with raw HTTP polls, and check the bytes the container
 * sent. Subclasses choose the container.
 */
@Timeout(60)
abstract class EndToEndContract {

  private static final ObjectMapper JSON = new ObjectMapper();

  @LocalServerPort int port;
  @Autowired MessageBus bus;
  @Autowired MessageBusFilter filter;
  @Autowired tools.jackson.databind.json.JsonMapper jackson3;

  private String channel;

  @BeforeEach
  void freshChannel(org.junit.jupiter.api.TestInfo info) {
    channel = "/e2e/" + info.getTestMethod().orElseThrow().getName();
  }

  /**
   * A poll whose client went away stays held until the server next writes to it or the long-polling
   * interval (8 s here) ends; wait for that so every test starts with none held.
   */
  @AfterEach
  void noPollLeftHeld() {
    await().atMost(Duration.ofSeconds(20)).until(() -> filter.heldPolls() == 0);
  }

  @Test
  void heldLongPoll_receivesWhatTheInjectedBusPublishes_withTheExactContentType() throws Exception {
    long last = bus.lastId(channel);
    try (RawHttp poll = RawHttp.connect(port)) {
      poll.post("/message-bus/c1/poll", channel + "=" + last, "Dont-Chunk: true");
      await().atMost(Duration.ofSeconds(10)).until(() -> filter.heldPolls() == 1);

      long id = bus.publish(channel, Map.of("text", "hello"));

      String response = poll.readToEnd();
      assertThat(response).startsWith("HTTP/1.1 200 ");
      assertThat(RawHttp.header(response, "Content-Type"))
          .isEqualTo("application/json; charset=utf-8");
      JsonNode messages = JSON.readTree(RawHttp.body(response));
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).get("channel").asText()).isEqualTo(channel);
      assertThat(messages.get(0).get("message_id").asLong()).isEqualTo(id);
      assertThat(messages.get(0).get("data").get("text").asText()).isEqualTo("hello");
    }
  }

  @Test
  void immediatePoll_withBacklog_hasTheExactContentType() throws Exception {
    bus.publish(channel, "one");
    try (RawHttp poll = RawHttp.connect(port)) {
      String response =
          poll.post("/message-bus/c2/poll?dlp=t", channel + "=0", "Connection: close").readToEnd();
      assertThat(response).startsWith("HTTP/1.1 200 ");
      assertThat(RawHttp.header(response, "Content-Type"))
          .isEqualTo("application/json; charset=utf-8");
      JsonNode messages = JSON.readTree(RawHttp.body(response));
      assertThat(messages.get(0).get("data").asText()).isEqualTo("one");
    }
  }

  @Test
  void streamingPoll_hasTheExactStreamContentType() throws Exception {
    long last = bus.lastId(channel);
    try (RawHttp poll = RawHttp.connect(port)) {
      poll.post("/message-bus/c3/poll", channel + "=" + last);
      await().atMost(Duration.ofSeconds(10)).until(() -> filter.heldPolls() == 1);
      bus.publish(channel, "streamed");
      String response = poll.readUntil("streamed");
      assertThat(response).startsWith("HTTP/1.1 200 ");
      assertThat(RawHttp.header(response, "Content-Type")).isEqualTo("text/plain; charset=utf-8");
      assertThat(RawHttp.header(response, "Transfer-Encoding")).isEqualTo("chunked");
    }
  }

  @Test
  void userIdLookupBean_decidesWhoReceivesATargetedMessage() throws Exception {
    long last = bus.lastId(channel);
    try (RawHttp stranger = RawHttp.connect(port);
        RawHttp user7 = RawHttp.connect(port)) {
      stranger.post("/message-bus/c4/poll", channel + "=" + last, "Dont-Chunk: true", "X-User: 8");
      user7.post("/message-bus/c5/poll", channel + "=" + last, "Dont-Chunk: true", "X-User: 7");
      await().atMost(Duration.ofSeconds(10)).until(() -> filter.heldPolls() == 2);

      bus.publish(channel, "for 7", PublishOptions.builder().userIds(7L).build());

      JsonNode messages = JSON.readTree(RawHttp.body(user7.readToEnd()));
      assertThat(messages.get(0).get("data").asText()).isEqualTo("for 7");
      // user 7's poll leaves the count once its exchange completes; user 8's stays held
      await().atMost(Duration.ofSeconds(10)).until(() -> filter.heldPolls() == 1);

      bus.publish(channel, "for all");
      JsonNode strangers = JSON.readTree(RawHttp.body(stranger.readToEnd()));
      assertThat(strangers).hasSize(1);
      assertThat(strangers.get(0).get("data").asText()).isEqualTo("for all");
    }
  }

  @Test
  void pollWhoseBodyComesLate_isReadWithoutBlocking_andAnswered() throws Exception {
    long id = bus.publish(channel, "late body");
    String form = channel + "=" + (id - 1);
    try (RawHttp poll = RawHttp.connect(port)) {
      poll.send(
          "POST /message-bus/c6/poll?dlp=t HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
              + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
              + form.length()
              + "\r\n\r\n"
              + form.substring(0, 3));
      // The filter reads the body with a ReadListener: the rest may come whenever it likes.
      java.util.concurrent.CompletableFuture.delayedExecutor(
              300, java.util.concurrent.TimeUnit.MILLISECONDS)
          .execute(
              () -> {
                try {
                  poll.send(form.substring(3));
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });

      String response = poll.readToEnd();
      assertThat(response).startsWith("HTTP/1.1 200 ");
      assertThat(JSON.readTree(RawHttp.body(response)).get(0).get("data").asText())
          .isEqualTo("late body");
    }
  }

  @Test
  void pollWithAnUnknownCharset_is415() throws Exception {
    try (RawHttp poll = RawHttp.connect(port)) {
      String response =
          poll.send(
                  "POST /message-bus/c7/poll?dlp=t HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Connection: close\r\nContent-Type: text/plain; charset=ebcdic\r\n"
                      + "Content-Length: 4\r\n\r\n/a=0")
              .readToEnd();
      assertThat(response).startsWith("HTTP/1.1 415 ");
      assertThat(RawHttp.body(response)).startsWith("unsupported charset");
    }
  }

  @Test
  void otherPaths_reachTheApplication_whoseJsonIsJackson3() throws Exception {
    try (RawHttp other = RawHttp.connect(port)) {
      String response = other.post("/hello", "", "Connection: close").readToEnd();
      assertThat(response).startsWith("HTTP/1.1 200 ");
      assertThat(RawHttp.body(response)).isEqualTo("{\"text\":\"hi\"}");
      // Spring's JSON is Jackson 3 (tools.jackson); it also writes the bus's message data, while
      // the
      // bus writes envelopes and poll replies with its own Jackson 2 writer (com.fasterxml).
      assertThat(jackson3).isNotNull();
    }
  }

  @Test
  void webSocket_fromTheSameOrigin_subscribesAndReceivesWhatTheBusPublishes_forItsUserOnly()
      throws Exception {
    Ws ws = Ws.open(wsUri("w1"), "Origin", "http://127.0.0.1:" + port, "X-User", "7");
    try {
      // From the end (-1): answered with the channel's position once the subscription is applied.
      ws.socket.sendText("{\"subscribe\":{\"" + channel + "\":-1}}", true).join();
      JsonNode status = JSON.readTree(ws.next());
      assertThat(status.get(0).get("channel").asText()).isEqualTo("/__status");
      assertThat(status.get(0).get("data").has(channel)).isTrue();

      bus.publish(channel, "for 8", PublishOptions.builder().userIds(8L).build());
      long id =
          bus.publish(
              channel, Map.of("text", "for 7"), PublishOptions.builder().userIds(7L).build());

      JsonNode messages = JSON.readTree(ws.next());
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).get("channel").asText()).isEqualTo(channel);
      assertThat(messages.get(0).get("message_id").asLong()).isEqualTo(id);
      assertThat(messages.get(0).get("data").get("text").asText()).isEqualTo("for 7");
      assertThat(filter.webSockets().connections()).isEqualTo(1);
    } finally {
      ws.socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").join();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> filter.webSockets().connections() == 0);
  }

  @Test
  @org.junit.jupiter.api.extension.ExtendWith(
      org.springframework.boot.test.system.OutputCaptureExtension.class)
  void webSocket_fromAForeignOrigin_isRefusedWith403_andNothingIsLoggedAtError(
      org.springframework.boot.test.system.CapturedOutput output) throws Exception {
    int before = filter.webSockets().connections();
    java.util.concurrent.CompletableFuture<java.net.http.WebSocket> refused =
        Ws.builder("Origin", "https://evil.example")
            .buildAsync(wsUri("w2"), new java.net.http.WebSocket.Listener() {});
    assertThatThrownBy(refused::join)
        .cause()
        .isInstanceOfSatisfying(
            java.net.http.WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));
    try (RawHttp raw = RawHttp.connect(port)) {
      raw.get(
          "/message-bus/w3/ws",
          "Connection: Upgrade",
          "Upgrade: websocket",
          "Sec-WebSocket-Version: 13",
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
          "Origin: https://evil.example");
      String response = raw.readUntil("evil.example");
      assertThat(response)
          .startsWith("HTTP/1.1 403 ")
          .contains("origin not allowed: https://evil.example");
    }
    assertThat(filter.webSockets().connections()).isEqualTo(before);
    assertThat(output.getAll()).doesNotContain(" ERROR ");
  }

  @Test
  void webSocketPath_withoutTheUpgrade_is426_neverAHeldPoll() throws Exception {
    try (RawHttp raw = RawHttp.connect(port)) {
      raw.get("/message-bus/w4/ws", "Connection: close");
      String response = raw.readToEnd();
      assertThat(response).startsWith("HTTP/1.1 426 ");
    }
    assertThat(filter.heldPolls()).isZero();
  }

  private URI wsUri(String clientId) {
    return URI.create("ws://127.0.0.1:" + port + "/message-bus/" + clientId + "/ws");
  }

  /** A JDK WebSocket (as a browser's, it may send an Origin) collecting the texts it receives. */
  static final class Ws implements java.net.http.WebSocket.Listener {
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();
    private final java.util.concurrent.BlockingQueue<String> texts =
        new java.util.concurrent.LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    java.net.http.WebSocket socket;

    static java.net.http.WebSocket.Builder builder(String... headers) {
      java.net.http.WebSocket.Builder b =
          HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
      for (int i = 0; i + 1 < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      return b;
    }

    static Ws open(URI uri, String... headers) {
      Ws ws = new Ws();
      ws.socket = builder(headers).buildAsync(uri, ws).join();
      return ws;
    }

    String next() throws InterruptedException {
      String text = texts.poll(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(text).as("a message within 30 s").isNotNull();
      return text;
    }

    @Override
    public java.util.concurrent.CompletionStage<?> onText(
        java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        texts.add(partial.toString());
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }

  /**
   * The application: Spring MVC with one controller (whose JSON Spring writes with Jackson 3, as it
   * writes the bus's message data), auto-configuration and a user id lookup.
   */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @RestController
  static class App {
    @PostMapping("/hello")
    Map<String, String> hello() {
      return Map.of("text", "hi");
    }

    @Bean
    MessageBusUserIdLookup userIdLookup() {
      return req -> {
        String user = req.getHeader("X-User");
        return user == null ? null : Long.valueOf(user);
      };
    }
  }
}
