// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.messagebus.BackendState;
import org.messagebus.MessageBus;
import org.messagebus.servlet.MessageBusFilter;
import org.messagebus.testkit.Services;
import org.messagebus.testkit.TcpProxy;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application starts while its backend is unreachable (a {@link TcpProxy} in front of the real
 * Redis or PostgreSQL refuses every connection): it serves, its health and readiness are DOWN (its
 * liveness stays UP), polls get 503; once the backend is reachable the bus connects, health turns
 * UP and a held poll receives what is published; a connection lost afterwards turns it DOWN at
 * once. Closing the context ends every thread the application started, so Tomcat has no leaked
 * thread to warn about.
 */
@Timeout(120)
@ExtendWith(OutputCaptureExtension.class)
class FailSoftStartTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void redisUnreachable_atStart_startsDown_andConnectsWhenItReturns(CapturedOutput output)
      throws Exception {
    Services.requireRedis();
    try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.REDIS_PORT)) {
      proxy.cut();
      failSoftStart(
          proxy,
          output,
          "--message-bus.backend=redis",
          "--message-bus.redis.url=" + proxy.url(LocalServices.REDIS_URL),
          "--message-bus.redis.command-timeout=2s");
    }
  }

  @Test
  void redisSilent_atStart_startsDown_andConnectsWhenItReturns(CapturedOutput output)
      throws Exception {
    Services.requireRedis();
    try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.REDIS_PORT)) {
      proxy.blackhole(); // connections are accepted and never answered
      failSoftStart(
          proxy,
          output,
          "--message-bus.backend=redis",
          "--message-bus.redis.url=" + proxy.url(LocalServices.REDIS_URL),
          "--message-bus.redis.command-timeout=2s");
    }
  }

  @Test
  void postgresUnreachable_atStart_startsDown_andConnectsWhenItReturns(CapturedOutput output)
      throws Exception {
    Services.requirePostgres();
    try (TcpProxy proxy = new TcpProxy(Services.HOST, Services.POSTGRES_PORT)) {
      proxy.cut();
      failSoftStart(
          proxy,
          output,
          "--message-bus.backend=postgres",
          "--message-bus.postgres.url="
              + proxy.url(LocalServices.PG_URL + "&connectTimeout=2&socketTimeout=10"),
          "--message-bus.postgres.schema=failsoft",
          "--message-bus.postgres.reconnect-delay=200ms");
    }
  }

  private static void failSoftStart(TcpProxy proxy, CapturedOutput output, String... backend)
      throws Exception {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--message-bus.keepalive-interval=0",
                "--message-bus.http.long-polling-interval=20s",
                "--management.endpoints.web.exposure.include=health",
                "--management.endpoint.health.probes.enabled=true",
                "--management.endpoint.health.show-details=always"));
    args.addAll(List.of(backend));
    ConfigurableApplicationContext ctx =
        new SpringApplication(EndToEndContract.App.class, TomcatEndToEndTest.Tomcat.class)
            .run(args.toArray(String[]::new));
    try {
      int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
      MessageBus bus = ctx.getBean(MessageBus.class);

      // Started, and says it is not ready: health DOWN at once (the backend's state, not the
      // keepalive's age), readiness DOWN, liveness UP (a backend outage must not restart pods).
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> bus.backendState() == BackendState.DISCONNECTED);
      String health = get(port, "/actuator/health");
      assertThat(health).startsWith("HTTP/1.1 503 ");
      JsonNode h = JSON.readTree(RawHttp.body(health));
      assertThat(h.at("/components/messageBus/status").asText()).isEqualTo("DOWN");
      assertThat(h.at("/components/messageBus/details/backendState").asText())
          .isEqualTo("DISCONNECTED");
      assertThat(get(port, "/actuator/health/readiness")).startsWith("HTTP/1.1 503 ");
      assertThat(get(port, "/actuator/health/liveness")).startsWith("HTTP/1.1 200 ");

      // Polls are refused with 503 while the store is away.
      String refused = poll(port, "/message-bus/failsoft/poll?dlp=t", "/failsoft=0");
      assertThat(refused).startsWith("HTTP/1.1 503 ");

      proxy.restore();

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> get(port, "/actuator/health").startsWith("HTTP/1.1 200 "));
      assertThat(get(port, "/actuator/health/readiness")).startsWith("HTTP/1.1 200 ");
      await().atMost(Duration.ofSeconds(30)).until(bus::isListening);

      // Connected: a held poll receives what the bus publishes now.
      MessageBusFilter filter = ctx.getBean(MessageBusFilter.class);
      long last = bus.lastId("/failsoft");
      try (RawHttp held = RawHttp.connect(port)) {
        held.post("/message-bus/failsoft-2/poll", "/failsoft=" + last, "Dont-Chunk: true");
        await().atMost(Duration.ofSeconds(10)).until(() -> filter.heldPolls() == 1);
        long id = bus.publish("/failsoft", "back");
        String response = held.readToEnd();
        assertThat(response).startsWith("HTTP/1.1 200 ");
        JsonNode messages = JSON.readTree(RawHttp.body(response));
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).get("message_id").asLong()).isEqualTo(id);
        assertThat(messages.get(0).get("data").asText()).isEqualTo("back");
      }

      // A connection lost later shows at once (the keepalive is off here, so only the backend's
      // state can tell), and readiness follows.
      proxy.cut();
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> get(port, "/actuator/health/readiness").startsWith("HTTP/1.1 503 "));
      assertThat(bus.backendState()).isEqualTo(BackendState.DISCONNECTED);
      assertThat(get(port, "/actuator/health/liveness")).startsWith("HTTP/1.1 200 ");

      // And back. (Closed while the store is reachable: closing during an outage is another
      // matter; the PostgreSQL LISTEN thread can then outlive close() while it waits for a pool
      // connection.)
      proxy.restore();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> get(port, "/actuator/health/readiness").startsWith("HTTP/1.1 200 "));
    } finally {
      ctx.close();
    }
    // Every thread the application started ends with the context (the bus's, the backend's and
    // Tomcat's), so nothing is left for Tomcat to report as leaked.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(applicationThreads(before)).as(stacks(before)).isEmpty());
    assertThat(output.getAll()).doesNotContain("failed to stop it");
  }

  /**
   * Live threads started since {@code before}, other than the test's own helpers and the JVM-wide
   * pools that libraries start once per process and keep (pgjdbc's {@code Cleaner-0}, which ends
   * itself when idle, and Reactor's shared {@code boundedElastic} scheduler).
   */
  private static List<String> applicationThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .map(Thread::getName)
        .filter(n -> !n.startsWith("tcp-proxy") && !n.startsWith("awaitility"))
        .filter(n -> !n.startsWith("ForkJoinPool") && !n.startsWith("Attach Listener"))
        .filter(n -> !n.startsWith("Cleaner-") && !n.startsWith("boundedElastic"))
        .sorted()
        .toList();
  }

  /** Where the threads still alive are, for the failure message. */
  private static String stacks(Set<Thread> before) {
    StringBuilder sb = new StringBuilder("threads left:\n");
    Thread.getAllStackTraces()
        .forEach(
            (t, trace) -> {
              if (!before.contains(t) && applicationThreads(before).contains(t.getName())) {
                sb.append(t.getName()).append('\n');
                for (StackTraceElement e : trace) {
                  sb.append("    at ").append(e).append('\n');
                }
              }
            });
    return sb.toString();
  }

  private static String get(int port, String path) throws Exception {
    try (RawHttp http = RawHttp.connect(port)) {
      return http.get(path, "Connection: close").readToEnd();
    }
  }

  private static String poll(int port, String path, String form) throws Exception {
    try (RawHttp http = RawHttp.connect(port)) {
      return http.post(path, form, "Connection: close").readToEnd();
    }
  }
}
