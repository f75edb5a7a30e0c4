// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadReportTest {

  private static ServerStats stats(long heap, long rss, long cpuNanos) {
    return new ServerStats(
        "java", "memory", null, 10, heap, rss, cpuNanos, 20, 0, 0, 0, 1, 30, cpuNanos * 2, 0, 0);
  }

  @Test
  void aReportBeforeTheMeasuredWindow_isRefused() {
    LoadReport report = new LoadReport(LoadArgs.parse("port=9292"));
    assertThatThrownBy(report::toMap)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not measured");
  }

  @Test
  void withoutRedis_theRedisFiguresAreNull_andTheSummaryLeavesThemOut() {
    LoadReport report = new LoadReport(LoadArgs.parse("port=9292", "n=10", "mode=longpoll"));
    report.heldAfterRamp = 10;
    report.fill(
        stats(1_000_000, 2_000_000, 0),
        stats(1_010_240, 2_020_480, 0),
        new LoadRun.Window(stats(0, 0, 0), Map.of(), 0, 0, 0),
        new LoadRun.Window(stats(0, 3_000_000, 500_000_000), Map.of(), 40, 10, 0));
    Map<String, Object> r = report.toMap();
    assertThat(r).containsEntry("redisCommands", null).containsEntry("redisCommandsTotal", null);
    assertThat(r).containsEntry("heapPerPollBytes", 1024L).containsEntry("rssPerPollBytes", 2048L);
    // 1e9 bytes allocated (the stub's 2 x CPU nanos) over 40 polls
    assertThat(r).containsEntry("serverAllocatedPerPollBytes", 25_000_000L);
    assertThat(report.summary(r))
        .doesNotContain("Redis commands")
        .contains("1.00 KiB per held poll")
        .contains("2.00 KiB per held poll");
  }
}
