// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

  @Test
  void cpu_isUtimePlusStime_countedAfterAProcessNameWithSpacesAndParentheses() {
    String stat =
        "4242 (java (load) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 40 0 1 2 3";
    assertThat(ProcStats.cpuNanosOf(stat)).isEqualTo(300 * (1_000_000_000L / ProcStats.CLK_TCK));
  }

  @Test
  void rss_isVmRssInBytes() {
    String status = "Name:\tjava\nVmPeak:\t  999 kB\nVmRSS:\t  123456 kB\nThreads:\t40\n";
    assertThat(ProcStats.rssBytesOf(status)).isEqualTo(123456L * 1024);
    assertThat(ProcStats.rssBytesOf("Name:\tkthread\n")).isEqualTo(-1);
  }

  @Test
  void ownProcess_hasCpuRssAndDescriptors() throws Exception {
    assertThat(ProcStats.cpuNanos("self")).isPositive();
    assertThat(ProcStats.rssBytes("self")).isPositive();
    assertThat(ProcStats.openFileDescriptors("self")).isPositive();
  }
}
