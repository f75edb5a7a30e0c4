// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.examples.spring.OrderService.Order;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.testkit.Services;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The example against the real local PostgreSQL (schema {@code mb_example_spring}), over HTTP on a
 * real Tomcat: REST publish reaches a poll, a notification reaches only its user, an order and its
 * announcement commit or roll back together, and the health endpoint reports the bus.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"message-bus.keepalive-interval=0", "server.address=127.0.0.1"})
@Timeout(60)
class SpringBootExampleTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Autowired MessageBus bus;
  @Autowired OrderService orders;

  @BeforeAll
  static void postgres() {
    Services.requirePostgres();
  }

  @Test
  void restPublish_reachesAPoll() throws Exception {
    assertThat(bus.backend()).isInstanceOf(PostgresBackend.class);
    long last = bus.lastId(AnnouncementController.ANNOUNCEMENTS);
    HttpResponse<String> published = post("/announcements", "hello", List.of());
    assertThat(published.statusCode()).isEqualTo(200);

    JsonNode messages = poll(AnnouncementController.ANNOUNCEMENTS, last, null);
    assertThat(messages).hasSize(1);
    assertThat(messages.get(0).get("data").get("text").asText()).isEqualTo("hello");
  }

  @Test
  void notification_reachesOnlyItsUser() throws Exception {
    long last = bus.lastId(AnnouncementController.NOTIFICATIONS);
    assertThat(post("/users/7/notifications", "for seven", List.of()).statusCode()).isEqualTo(200);

    assertThat(poll(AnnouncementController.NOTIFICATIONS, last, "7"))
        .extracting(m -> m.get("data").get("text").asText())
        .containsExactly("for seven");
    // user 8 and anonymous clients get no message (only the status reply)
    assertThat(dataOf(poll(AnnouncementController.NOTIFICATIONS, last, "8"))).isEmpty();
    assertThat(dataOf(poll(AnnouncementController.NOTIFICATIONS, last, null))).isEmpty();
  }

  @Test
  void transactionalPublish_commitsWithTheOrder() throws Exception {
    String id = UUID.randomUUID().toString();
    long last = bus.lastId(OrderService.ORDERS);
    orders.place(new Order(id, "book"), false);

    assertThat(orders.exists(id)).isTrue();
    assertThat(dataOf(poll(OrderService.ORDERS, last, null)))
        .anySatisfy(d -> assertThat(d.get("id").asText()).isEqualTo(id));
  }

  @Test
  void transactionalPublish_rollsBackWithTheOrder_butAPlainPublishDoesNot() throws Exception {
    String rolledBack = UUID.randomUUID().toString();
    String plain = UUID.randomUUID().toString();
    String marker = UUID.randomUUID().toString();
    long last = bus.lastId(OrderService.ORDERS);

    assertThatThrownBy(() -> orders.place(new Order(rolledBack, "lamp"), true))
        .hasMessageContaining("payment refused");
    assertThatThrownBy(() -> orders.placeThenFail(new Order(plain, "desk")))
        .hasMessageContaining("payment refused");
    orders.place(new Order(marker, "pen"), false);

    assertThat(orders.exists(rolledBack)).isFalse();
    assertThat(orders.exists(plain)).isFalse();
    // everything published up to the marker, in order: the plain publish was sent anyway
    List<String> ids = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              for (JsonNode d : dataOf(poll(OrderService.ORDERS, last, null))) {
                ids.add(d.get("id").asText());
              }
              return ids.contains(marker);
            });
    assertThat(ids).contains(plain).doesNotContain(rolledBack);
  }

  @Test
  void actuatorHealth_reportsTheBus() throws Exception {
    HttpResponse<String> health =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode bus = JSON.readTree(health.body()).get("components").get("messageBus");
    assertThat(bus.get("status").asText()).isEqualTo("UP");
    assertThat(bus.get("details").get("backend").asText()).isEqualTo("PostgresBackend");
  }

  @Test
  void probes_areUp() throws Exception {
    // The starter puts messageBus in the readiness group and never in liveness (tested in the
    // starter, FailSoftStartTest and MessageBusHealthAutoConfigurationTest).
    for (String probe : List.of("/actuator/health/readiness", "/actuator/health/liveness")) {
      HttpResponse<String> r = get(probe);
      assertThat(r.statusCode()).as(probe).isEqualTo(200);
      assertThat(JSON.readTree(r.body()).get("status").asText()).as(probe).isEqualTo("UP");
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** An immediate poll (dlp=t) from a position on: the messages after it, as JSON. */
  private JsonNode poll(String channel, long after, String user) throws Exception {
    List<String> headers = new ArrayList<>();
    if (user != null) {
      headers.add(SpringBootExample.USER_HEADER);
      headers.add(user);
    }
    headers.add("Content-Type");
    headers.add("application/x-www-form-urlencoded");
    HttpResponse<String> r =
        post("/message-bus/" + UUID.randomUUID() + "/poll?dlp=t", channel + "=" + after, headers);
    assertThat(r.statusCode()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static List<JsonNode> dataOf(JsonNode messages) {
    List<JsonNode> data = new ArrayList<>();
    for (JsonNode m : messages) {
      if (!m.get("channel").asText().equals("/__status")) {
        data.add(m.get("data"));
      }
    }
    return data;
  }

  private HttpResponse<String> post(String path, String body, List<String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (!headers.contains("Content-Type")) {
      b.header("Content-Type", "text/plain; charset=utf-8");
    }
    for (int i = 0; i < headers.size(); i += 2) {
      b.header(headers.get(i), headers.get(i + 1));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
