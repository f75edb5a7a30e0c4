// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class LoadReportTest {

  private static ServerStats stats(long heap, long rss, long cpuNanos) {
    return stats(heap, rss, cpuNanos, null);
  }

  private static ServerStats stats(long heap, long rss, long cpuNanos, @Nullable Long jitMillis) {
    return new ServerStats(
        "java",
        "memory",
        null,
        10,
        heap,
        rss,
        cpuNanos,
        20,
        0,
        0,
        0,
        1,
        30,
        cpuNanos * 2,
        0,
        0,
        jitMillis);
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

  /**
   * A long-polling report whose window took 2 s of server CPU, with the JIT's totals at its ends.
   */
  private static LoadReport windowWithJit(@Nullable Long jitBefore, @Nullable Long jitAfter) {
    LoadReport report = new LoadReport(LoadArgs.parse("port=9292", "n=10", "mode=longpoll"));
    report.heldAfterRamp = 10;
    report.fill(
        stats(0, 0, 0),
        stats(0, 0, 0),
        new LoadRun.Window(stats(0, 0, 0, jitBefore), Map.of(), 0, 0, 0),
        new LoadRun.Window(stats(0, 0, 2_000_000_000L, jitAfter), Map.of(), 40, 10, 0));
    return report;
  }

  @Test
  void theJitsShareOfTheWindow_isReported_whenTheServerTellsIt() {
    LoadReport report = windowWithJit(1_000L, 1_250L);
    report.jitQuiet = true;
    report.jitWarmupRounds = 3;
    Map<String, Object> r = report.toMap();
    // 250 ms of compilation in 2 s of server CPU
    assertThat(r)
        .containsEntry("serverJitSeconds", 0.25)
        .containsEntry("serverJitPercentOfCpu", 12.5)
        .containsEntry("jitQuiet", true)
        .containsEntry("jitWarmupRounds", 3);
    assertThat(report.summary(r)).contains("the JIT compiled for 0.25 s of it (12.5 %)");
  }

  @Test
  void withoutTheServersCompilationTime_theJitFiguresAreNull() {
    LoadReport report = windowWithJit(null, null);
    Map<String, Object> r = report.toMap();
    assertThat(r)
        .containsEntry("serverJitSeconds", null)
        .containsEntry("serverJitPercentOfCpu", null)
        .containsEntry("jitQuiet", null);
    assertThat(report.summary(r)).doesNotContain("JIT");
  }

  @Test
  void aWarmUpRound_isQuiet_underTheFloorOrTheShare() {
    // under 100 ms, whatever the CPU
    assertThat(LoadRun.jitQuiet(99, 0, 5)).isTrue();
    // 5 % of 4 s is 200 ms
    assertThat(LoadRun.jitQuiet(200, 4_000_000_000L, 5)).isTrue();
    assertThat(LoadRun.jitQuiet(201, 4_000_000_000L, 5)).isFalse();
    assertThat(LoadRun.jitQuiet(100, 0, 5)).isFalse();
  }
}
