// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

  @Test
  void percentiles_ofOneToAThousandMilliseconds() {
    LatencyStats s = new LatencyStats();
    for (int ms = 1; ms <= 1000; ms++) {
      s.record(ms * 1000L);
    }
    assertThat(s.count()).isEqualTo(1000);
    assertThat(s.percentileMs(50)).isCloseTo(500, within(0.5));
    assertThat(s.percentileMs(99)).isCloseTo(990, within(1.0));
    assertThat(s.maxMs()).isCloseTo(1000, within(1.0));
  }

  @Test
  void merged_isTheSameAsRecordedInOne() {
    LatencyStats a = new LatencyStats();
    LatencyStats b = new LatencyStats();
    LatencyStats all = new LatencyStats();
    for (int i = 0; i < 500; i++) {
      a.record(i * 37L);
      b.record(i * 53L + 11);
      all.record(i * 37L);
      all.record(i * 53L + 11);
    }
    a.add(b);
    assertThat(a.count()).isEqualTo(all.count());
    assertThat(a.summary()).isEqualTo(all.summary());
  }

  @Test
  void empty_saysMinusOne() {
    LatencyStats s = new LatencyStats();
    assertThat(s.percentileMs(99)).isEqualTo(-1);
    assertThat(s.maxMs()).isEqualTo(-1);
  }

  @Test
  void negativeAndHugeValues_areKeptInRange() {
    LatencyStats s = new LatencyStats();
    s.record(-5);
    s.record(LatencyStats.HIGHEST_MICROS * 2);
    assertThat(s.count()).isEqualTo(2);
    assertThat(s.clamped()).isEqualTo(1);
    assertThat(s.percentileMs(0)).isEqualTo(0);
  }
}
