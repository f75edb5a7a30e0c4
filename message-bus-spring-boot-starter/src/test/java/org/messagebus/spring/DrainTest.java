// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.servlet.MessageBusFilter;
import org.messagebus.testkit.Services;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Draining a node in a rolling deploy, with two nodes (two applications) sharing the real Redis: a
 * client polling node A keeps its last id when A drains, polls node B with it and receives
 * everything published meanwhile, once each, in order; A answers its held poll at once and refuses
 * new polls with 503 and Retry-After, and its readiness turns DOWN.
 */
@Timeout(120)
class DrainTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void clientMovedFromADrainingNodeToAnother_withItsLastId_losesNothing() throws Exception {
    Services.requireRedis();
    String channel = "/drain/" + System.nanoTime();
    ConfigurableApplicationContext a = start();
    ConfigurableApplicationContext b = start();
    try {
      int portA = port(a);
      int portB = port(b);
      MessageBus busA = a.getBean(MessageBus.class);
      MessageBus busB = b.getBean(MessageBus.class);
      MessageBusFilter filterA = a.getBean(MessageBusFilter.class);
      await().atMost(Duration.ofSeconds(30)).until(() -> busA.isListening() && busB.isListening());

      // The client follows the channel through node A.
      long last = busA.lastId(channel);
      try (RawHttp held = RawHttp.connect(portA)) {
        held.post("/message-bus/mover/poll", channel + "=" + last, "Dont-Chunk: true");
        await().atMost(Duration.ofSeconds(10)).until(() -> filterA.heldPolls() == 1);
        long first = busB.publish(channel, "m1"); // published on the other node
        JsonNode got = JSON.readTree(RawHttp.body(held.readToEnd()));
        assertThat(got).hasSize(1);
        assertThat(got.get(0).get("message_id").asLong()).isEqualTo(first);
        last = first;
      }

      // A drains while the client holds a poll on it: the poll is answered at once.
      assertThat(get(portA, "/actuator/health/readiness")).startsWith("HTTP/1.1 200 ");
      MessageBusDrain drain = a.getBean(MessageBusDrain.class);
      try (RawHttp held = RawHttp.connect(portA)) {
        held.post("/message-bus/mover/poll", channel + "=" + last, "Dont-Chunk: true");
        await().atMost(Duration.ofSeconds(10)).until(() -> filterA.heldPolls() == 1);
        drain.drain();
        String answered = held.readToEnd();
        assertThat(answered).startsWith("HTTP/1.1 200 ");
        assertThat(RawHttp.body(answered)).isEqualTo("[]");
      }
      assertThat(drain.isDraining()).isTrue();

      // Messages published while the client is between nodes (on both nodes' buses).
      List<Long> published = new ArrayList<>();
      published.add(busA.publish(channel, "m2"));
      published.add(busB.publish(channel, "m3"));

      // A refuses new polls with 503 and Retry-After, and says it is not ready.
      String refused = poll(portA, "/message-bus/mover/poll", channel + "=" + last);
      assertThat(refused).startsWith("HTTP/1.1 503 ");
      assertThat(RawHttp.header(refused, "Retry-After")).isEqualTo("5");
      assertThat(get(portA, "/actuator/health/readiness")).startsWith("HTTP/1.1 503 ");
      assertThat(get(portB, "/actuator/health/readiness")).startsWith("HTTP/1.1 200 ");

      // The client polls B with its last id: everything since, once each, in order.
      String moved = poll(portB, "/message-bus/mover/poll", channel + "=" + last);
      assertThat(moved).startsWith("HTTP/1.1 200 ");
      JsonNode messages = JSON.readTree(RawHttp.body(moved));
      List<Long> ids = new ArrayList<>();
      List<String> data = new ArrayList<>();
      for (JsonNode m : messages) {
        if (m.get("channel").asText().equals(channel)) {
          ids.add(m.get("message_id").asLong());
          data.add(m.get("data").asText());
        }
      }
      assertThat(ids).isEqualTo(published);
      assertThat(data).containsExactly("m2", "m3");

      // Stopping the drained node is quick: nothing is held there any more.
      CompletableFuture<Void> closing = CompletableFuture.runAsync(a::close);
      closing.get(30, TimeUnit.SECONDS);
    } finally {
      a.close();
      b.close();
    }
  }

  private static ConfigurableApplicationContext start() {
    return new SpringApplication(EndToEndContract.App.class, TomcatEndToEndTest.Tomcat.class)
        .run(
            "--server.port=0",
            "--server.address=127.0.0.1",
            "--server.shutdown=graceful",
            "--spring.lifecycle.timeout-per-shutdown-phase=60s",
            "--message-bus.backend=redis",
            "--message-bus.redis.url=" + LocalServices.REDIS_URL,
            "--message-bus.keepalive-interval=0",
            "--message-bus.http.long-polling-interval=60s",
            "--management.endpoints.web.exposure.include=health",
            "--management.endpoint.health.probes.enabled=true");
  }

  private static int port(ConfigurableApplicationContext ctx) {
    return ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }

  private static String get(int port, String path) throws Exception {
    try (RawHttp http = RawHttp.connect(port)) {
      return http.get(path, "Connection: close").readToEnd();
    }
  }

  private static String poll(int port, String path, String form) throws Exception {
    try (RawHttp http = RawHttp.connect(port)) {
      return http.post(path, form, "Connection: close", "Dont-Chunk: true").readToEnd();
    }
  }
}
