// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses which of an observed bus's publishes are timed. Timing one costs two clock reads and the
 * observer's timer (about 100 ns, against about 600 ns for a whole in-process publish and its
 * dispatch), so when publishes come faster than one per sample interval only a random sample is
 * timed; every publish is still {@linkplain org.messagebus.observe.BusObserver#published counted}.
 *
 * <p><b>How.</b> A publish is timed with probability {@code 1 / stride}, {@code stride} a power of
 * two from 1 to {@value #MAX_STRIDE}. Each timed publish compares its start with the previous timed
 * one's: closer than the interval, the stride doubles; farther, it halves (and falls back to 1
 * after a pause of several intervals). So about one publish per interval is timed when they come
 * faster, every one when they come slower (below 1,000 a second at the default 1 ms), and at least
 * one in {@value #MAX_STRIDE} at any rate: after a burst, at most about that many publishes go
 * untimed before the stride falls again. A random choice, not every n-th publish, so that a
 * periodic pattern in the publishes cannot hide from the sample.
 *
 * <p><b>Threads.</b> Read and written by publishing threads without a lock: the stride is volatile
 * (read on every publish, written at most once per timed publish); the last start is a plain field,
 * whose races cost a sample's accuracy at most, never a count.
 */
final class PublishTiming {

  /** The largest stride: at least one publish in this many is timed. */
  static final int MAX_STRIDE = 64;

  private final long intervalNanos;
  private volatile int stride = 1;
  private long lastTimedNanos;
  private boolean timedOnce;

  /**
   * @param intervalNanos about one publish per this many nanoseconds is timed when they come
   *     faster; 0 times every publish
   */
  PublishTiming(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /**
   * Whether the publish that starts now is to be timed; a {@code true} is followed by {@link
   * #timed}.
   */
  boolean shouldTime() {
    int s = stride;
    return s == 1 || (ThreadLocalRandom.current().nextInt() & (s - 1)) == 0;
  }

  /**
   * A timed publish starts: adapts the stride to the gap since the previous one.
   *
   * @param startNanos its start, from {@link System#nanoTime()}
   */
  void timed(long startNanos) {
    if (intervalNanos == 0) {
      return;
    }
    long gap = startNanos - lastTimedNanos;
    boolean first = !timedOnce;
    lastTimedNanos = startNanos;
    timedOnce = true;
    if (first) {
      return;
    }
    int s = stride;
    if (gap < intervalNanos) {
      if (s < MAX_STRIDE) {
        stride = s << 1;
      }
    } else if (s > 1) {
      stride = gap / 4 >= intervalNanos ? 1 : s >> 1;
    }
  }

  /** The current stride (for tests). */
  int stride() {
    return stride;
  }
}
