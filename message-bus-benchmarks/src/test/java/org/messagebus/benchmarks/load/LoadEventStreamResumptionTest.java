// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load client's {@code sse} mode against a real load server whose streams end every 700 ms:
 * every browser reopens its stream with {@code Last-Event-ID} several times during the run and
 * still gets every message exactly once, some of them from the backlog after a reconnection. A
 * smoke test of the instrument, not a measurement.
 */
@Timeout(120)
class LoadEventStreamResumptionTest {

  @Test
  void streamsEndedByTheServer_resumeWithLastEventId_withoutLossOrDuplicate() throws Exception {
    LoadServer server;
    System.setProperty("sseMaxDurationMs", "700");
    System.setProperty("sseRetryMs", "50");
    try {
      server = LoadServer.start(LoadServer.Options.forTests(false));
    } finally {
      System.clearProperty("sseMaxDurationMs");
      System.clearProperty("sseRetryMs");
    }
    try (server) {
      LoadReport report =
          LoadClient.run(
              LoadArgs.parse(
                  "port=" + server.port(),
                  "n=20",
                  "count=40",
                  "rate=20",
                  "warmup=2",
                  "mode=sse",
                  "drainSeconds=30",
                  "jitQuietPercent=0"));
      Map<String, Object> r = report.toMap();
      assertThat(report.lost()).as("lost").isZero();
      assertThat(report.duplicates()).as("duplicates").isZero();
      assertThat(r.get("delivered")).isEqualTo(800L);
      assertThat(r.get("errors")).isEqualTo(Map.of());
      // 40 messages at 20/s take 2 s: every stream was reopened at least once in the window
      assertThat((Long) r.get("polls")).as("streams reopened").isGreaterThanOrEqualTo(20L);
      assertThat(r.get("connects")).as("on the kept-alive connection").isEqualTo(0L);
    }
  }
}
