// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A short run of the real load server (memory backend, real Jetty on a free port) and the real load
 * client over loopback sockets in every client mode (Server-Sent Events and WebSocket included, the
 * server serving both): every browser gets every message exactly once. A smoke test of the
 * instrument, not a measurement.
 */
@Timeout(120)
class LoadEndToEndTest {

  private static LoadServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = LoadServer.start(LoadServer.Options.forTests(true));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @ParameterizedTest
  @CsvSource({
    "streaming, true",
    "longpoll, true",
    "longpoll, false",
    "poll, true",
    "sse, true",
    "websocket, true"
  })
  void everyBrowserGetsEveryMessageOnce(String mode, boolean keepAlive) throws Exception {
    LoadReport report =
        LoadClient.run(
            LoadArgs.parse(
                "port=" + server.port(),
                "n=20",
                "count=10",
                "rate=20",
                "warmup=2",
                "mode=" + mode,
                "keepAlive=" + keepAlive,
                "pollIntervalMs=200",
                "drainSeconds=30",
                // one warm-up round until the JIT is quiet (at most 0 s of them: exactly one)
                "jitRoundSeconds=1",
                "jitWarmupMaxSeconds=0"));
    Map<String, Object> r = report.toMap();
    assertThat(r.get("jitWarmupRounds")).isEqualTo(1);
    assertThat(r.get("jitQuiet")).isNotNull();
    assertThat(r.get("serverJitSeconds")).isNotNull();
    assertThat(report.lost()).as("lost").isZero();
    assertThat(report.duplicates()).as("duplicates").isZero();
    assertThat(r.get("delivered")).isEqualTo(200L);
    assertThat(r.get("unexpected")).isEqualTo(0L);
    assertThat(r.get("errors")).isEqualTo(Map.of());
    if (mode.equals("sse") || mode.equals("websocket")) {
      // one stream or socket per browser for the whole run, held by the server
      assertThat(r.get("connects")).isEqualTo(0L);
      assertThat(r.get("heldServer")).isEqualTo(20L);
      assertThat(r.get(mode.equals("sse") ? "serverEventStreams" : "serverWebSockets"))
          .isEqualTo(20L);
    } else if (!mode.equals("streaming")) {
      assertThat((Long) r.get("polls")).as("a new poll after each delivery").isPositive();
    }
    if (!keepAlive) {
      // Without keep-alive every poll has a connection of its own. Both counts are read at the
      // window's two ends, and a connect is counted when it starts, its poll once it is
      // established: a browser whose connect is under way at an end counts on one side only, so
      // they may differ by at most the browsers (with keep-alive they would differ by the polls).
      long polls = (Long) r.get("polls");
      assertThat((Long) r.get("connects")).isBetween(polls - 20, polls + 20);
    }
  }

  /**
   * Scale-out's spreading ({@code ports=}), here over the same server twice (one memory backend
   * cannot be shared by two servers): browsers spread over both entries, one NODE line each.
   */
  @Test
  void ports_spreadTheBrowsers_andReportEachNode() throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoadReport report;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      report =
          LoadClient.run(
              LoadArgs.parse(
                  "port=" + server.port(),
                  "ports=" + server.port() + "," + server.port(),
                  "threads=2",
                  "n=10",
                  "count=5",
                  "rate=20",
                  "warmup=1",
                  "mode=longpoll",
                  "drainSeconds=30",
                  "jitQuietPercent=0"));
    } finally {
      System.setOut(out);
    }
    assertThat(report.lost()).as("lost").isZero();
    assertThat(report.duplicates()).as("duplicates").isZero();
    String text = captured.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains(
            "NODE 1 port " + server.port() + ": 5 browsers, delivered 25 of 25, duplicates 0, p50 ")
        .contains(
            "NODE 2 port "
                + server.port()
                + ": 5 browsers, delivered 25 of 25, duplicates 0, p50 ");
  }
}
