// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with Actuator and message-bus-micrometer, on Jetty over a real socket:
 * the bus's and the HTTP endpoint's meters are listed under {@code /actuator/metrics}, and a
 * publish and a poll show up in them.
 */
@SpringBootTest(
    classes = ActuatorMetricsTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "message-bus.keepalive-interval=0",
      "management.endpoints.web.exposure.include=metrics",
      "server.address=127.0.0.1"
    })
@Timeout(60)
class ActuatorMetricsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @LocalServerPort int port;
  @Autowired MessageBus bus;

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    JettyServletWebServerFactory jetty() {
      return new JettyServletWebServerFactory();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private double count(String path) throws Exception {
    HttpResponse<String> r = get(path);
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    for (JsonNode m : JSON.readTree(r.body()).get("measurements")) {
      if (m.get("statistic").asText().equals("COUNT")) {
        return m.get("value").asDouble();
      }
    }
    throw new AssertionError("no COUNT in " + r.body());
  }

  @Test
  void theMeters_areUnderActuatorMetrics_andCount() throws Exception {
    HttpResponse<String> names = get("/actuator/metrics");
    assertThat(names.statusCode()).isEqualTo(200);
    List<String> listed = new ArrayList<>();
    JSON.readTree(names.body()).get("names").forEach(n -> listed.add(n.asText()));
    assertThat(listed)
        .contains(
            "messagebus.publishes",
            "messagebus.publish.duration",
            "messagebus.dispatch.messages",
            "messagebus.dispatch.lag",
            "messagebus.listener.failures",
            "messagebus.subscriptions",
            "messagebus.keepalive.healthy",
            "messagebus.backend.state",
            "messagebus.backend.queued",
            "messagebus.backend.disconnects",
            "messagebus.backend.reconnects",
            "messagebus.cache.gets",
            "messagebus.cache.remote.changes",
            "messagebus.http.polls",
            "messagebus.http.held",
            "messagebus.http.deliveries",
            "messagebus.http.bytes",
            "messagebus.http.over.capacity",
            "messagebus.http.streams.cut.off");

    double published = count("/actuator/metrics/messagebus.publishes?tag=outcome:ok");
    bus.publish("/metrics", "hello");
    assertThat(count("/actuator/metrics/messagebus.publishes?tag=outcome:ok"))
        .isEqualTo(published + 1);

    HttpResponse<String> poll =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/message-bus/c/poll?dlp=t"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("/metrics=0"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(poll.statusCode()).isEqualTo(200);
    // counted when the exchange ends, which may be just after the client has the reply
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                count("/actuator/metrics/messagebus.http.polls?tag=mode:poll&tag=outcome:data")
                    == 1);
    assertThat(count("/actuator/metrics/messagebus.http.deliveries")).isEqualTo(1);
  }
}
