// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.client.MessageBusClient;
import org.messagebus.client.MessageBusClient.Transport;
import org.messagebus.redis.RedisBackend;
import org.messagebus.testkit.PrivateRedis;

/**
 * Resumption after a crash: the server is a child JVM ({@link ResumeServer}) on a private Redis;
 * while clients are mid-stream it is killed with {@code SIGKILL} ({@code kill -9}), publishing goes
 * on from this JVM, and a new server process starts on the same port. Every client resumes from the
 * positions it holds: the Java client over long polling, streaming, Server-Sent Events and
 * WebSocket, and {@value #RAW_CLIENTS} raw-socket long pollers ({@link HeldPolls}). Each must
 * receive every message exactly once, in order (counted, never de-duplicated).
 *
 * <p>Time: 80–120 s on the shared 2-core machine at load average 20+ (two JVM starts and a 10 s
 * publishing run); bounded by the {@code @Timeout} of 4 minutes.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ServerKillResumeTest {

  private static final String CHANNEL = "/resume";
  private static final int COUNT = 200;
  private static final int PERIOD_MS = 50;
  private static final int RAW_CLIENTS = 100;

  private static Process startServer(int port, String redisUri, int generation) throws IOException {
    Path log = Path.of("target", "resume-server-" + generation + ".log");
    Files.createDirectories(log.getParent());
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ResumeServer.class.getName(),
                Integer.toString(port),
                redisUri)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              if (!p.isAlive()) {
                throw new IllegalStateException(
                    "the server process exited: " + Files.readString(log));
              }
              return Files.readString(log).contains("LISTENING");
            });
    return p;
  }

  @Test
  void killDashNine_midStream_everyTransportResumesWithoutLossOrRepeat() throws Exception {
    try (PrivateRedis redis = PrivateRedis.start();
        MessageBus publisherBus =
            MessageBus.builder()
                .backend(RedisBackend.builder().uri(redis.uri()).build())
                .keepaliveInterval(Duration.ZERO)
                .build()) {
      int port = PrivateStores.freePort();
      Process server = startServer(port, redis.uri(), 1);
      List<MessageBusClient> clients = new ArrayList<>();
      Map<String, List<Integer>> received = new LinkedHashMap<>();
      HeldPolls raw = null;
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      try {
        Map<String, MessageBusClient.Builder> kinds = new LinkedHashMap<>();
        URI base = URI.create("http://127.0.0.1:" + port + "/");
        kinds.put("long polling", MessageBusClient.builder(base).chunkedEncoding(false));
        kinds.put("streaming", MessageBusClient.builder(base).chunkedEncoding(true));
        kinds.put(
            "server-sent events",
            MessageBusClient.builder(base).transport(Transport.SERVER_SENT_EVENTS));
        kinds.put("websocket", MessageBusClient.builder(base).transport(Transport.WEBSOCKET));
        for (Map.Entry<String, MessageBusClient.Builder> k : kinds.entrySet()) {
          List<Integer> got = new CopyOnWriteArrayList<>();
          received.put(k.getKey(), got);
          MessageBusClient c = k.getValue().maxPollInterval(Duration.ofSeconds(1)).build();
          clients.add(c);
          c.subscribe(CHANNEL, 0, m -> got.add(((Number) m.data()).intValue()));
          c.start();
        }
        raw = new HeldPolls(port, CHANNEL, RAW_CLIENTS, COUNT);
        HeldPolls rawPolls = raw;

        AtomicInteger published = new AtomicInteger();
        // The second half waits for the new server, so that some messages are published while no
        // server runs and some after it is back, however long a JVM takes to start here.
        AtomicBoolean restarted = new AtomicBoolean();
        timer.scheduleAtFixedRate(
            () -> {
              int n = published.get() + 1;
              if (n > COUNT) {
                timer.shutdown();
                return;
              }
              if (n > COUNT / 2 && !restarted.get()) {
                return;
              }
              publisherBus.publish(CHANNEL, n);
              published.set(n);
            },
            0,
            PERIOD_MS,
            TimeUnit.MILLISECONDS);

        // Mid-stream: every client has received some messages and more are coming.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    published.get() >= COUNT / 4
                        && received.values().stream().allMatch(g -> g.size() >= 10)
                        && rawPolls.delivered.get() >= 10L * RAW_CLIENTS);
        server.destroyForcibly(); // SIGKILL
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int atKill = published.get();
        Map<String, Integer> countsAtKill = new LinkedHashMap<>();
        received.forEach((k, v) -> countsAtKill.put(k, v.size()));
        await().atMost(Duration.ofSeconds(60)).until(() -> published.get() >= COUNT / 2);
        server = startServer(port, redis.uri(), 2);
        restarted.set(true);
        int atRestart = published.get();
        assertThat(timer.awaitTermination(120, TimeUnit.SECONDS)).isTrue();

        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    received.values().stream().allMatch(g -> g.size() >= COUNT)
                        && rawPolls.delivered.get() >= (long) COUNT * RAW_CLIENTS);
        HeldPolls.Report report = raw.report();
        System.out.printf(
            "kill -9 resumption: killed after %d of %d messages (received then: %s), restarted"
                + " after %d; received %s; raw long pollers: %s%n",
            atKill,
            COUNT,
            countsAtKill,
            atRestart,
            received.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList(),
            report);
        List<Integer> expected = IntStream.rangeClosed(1, COUNT).boxed().toList();
        received.forEach(
            (kind, got) -> assertThat(got).as(kind).containsExactlyElementsOf(expected));
        assertThat(report.complete()).isEqualTo(RAW_CLIENTS);
        assertThat(report.repeats()).isZero();
        assertThat(report.outOfOrder()).isZero();
        assertThat(report.unexpected()).isZero();
      } finally {
        timer.shutdownNow();
        for (MessageBusClient c : clients) {
          c.close();
        }
        if (raw != null) {
          raw.close();
        }
        server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
