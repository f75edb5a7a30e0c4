// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
