// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which publishes are timed: the stride follows the gaps between timed publishes. */
class PublishTimingTest {

  private static final long MS = 1_000_000;

  @Test
  void slowPublishes_areEachTimed() {
    PublishTiming t = new PublishTiming(MS);
    for (int i = 0; i < 100; i++) {
      assertThat(t.shouldTime()).isTrue();
      t.timed(i * 2 * MS); // one every 2 ms
    }
    assertThat(t.stride()).isEqualTo(1);
  }

  @Test
  void fastPublishes_doubleTheStride_upToItsBound() {
    PublishTiming t = new PublishTiming(MS);
    long now = 0;
    for (int i = 0; i < 20; i++) {
      t.timed(now);
      now += MS / 10;
    }
    assertThat(t.stride()).isEqualTo(PublishTiming.MAX_STRIDE);
  }

  @Test
  void theStrideHalvesWhenTimedPublishesDrawApart_andFallsToOneAfterAPause() {
    PublishTiming t = new PublishTiming(MS);
    long now = 0;
    for (int i = 0; i < 4; i++) { // 0, then three doublings: 8
      t.timed(now);
      now += MS / 10;
    }
    assertThat(t.stride()).isEqualTo(8);
    now += 2 * MS; // gap between one and four intervals: halve
    t.timed(now);
    assertThat(t.stride()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      now += MS / 10;
      t.timed(now);
    }
    assertThat(t.stride()).isEqualTo(PublishTiming.MAX_STRIDE);
    now += 4 * MS; // a pause: every publish is timed again at once
    t.timed(now);
    assertThat(t.stride()).isEqualTo(1);
  }

  @Test
  void atTheLargestStride_aboutOnePublishInThatManyIsTimed() {
    PublishTiming t = new PublishTiming(MS);
    for (int i = 0; i < 20; i++) {
      t.timed(i);
    }
    int timed = 0;
    int n = 64_000;
    for (int i = 0; i < n; i++) {
      if (t.shouldTime()) {
        timed++;
      }
    }
    // 1,000 expected; the binomial's standard deviation is 31, so these bounds are 16 of them.
    assertThat(timed).isBetween(500, 1_500);
  }

  @Test
  void aZeroInterval_timesEveryPublish() {
    PublishTiming t = new PublishTiming(0);
    for (int i = 0; i < 1_000; i++) {
      assertThat(t.shouldTime()).isTrue();
      t.timed(i);
    }
    assertThat(t.stride()).isEqualTo(1);
  }

  @Test
  void aHugeInterval_doesNotOverflow() {
    PublishTiming t = new PublishTiming(Long.MAX_VALUE);
    t.timed(0);
    t.timed(Long.MAX_VALUE / 2);
    assertThat(t.stride()).isEqualTo(2); // closer than the interval
  }
}
