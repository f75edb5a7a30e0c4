// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Storm runs ({@code storm=repoll}, {@code storm=outage}): when the browsers' requests reach the
 * server, in 10 ms buckets from the moment every browser is held ({@link #start}). Three series:
 * every poll sent; each browser's first poll after the start (with every browser held, that is its
 * re-poll when its held poll ends); each browser's first poll answered 200 after a failure (its
 * reconnection after an outage). The send time stands for the arrival: both ends share loopback.
 * Shared by the selector workers; recording is one atomic increment.
 */
final class StormRecorder {

  /** Bucket width: 10 ms. */
  static final long BUCKET_NANOS = 10_000_000L;

  private final int buckets;
  private volatile long startNanos = Long.MAX_VALUE;
  final AtomicIntegerArray polls;
  final AtomicIntegerArray firstPolls;
  final AtomicIntegerArray reconnects;
  final AtomicLong failures = new AtomicLong();
  final AtomicLong firstFailureNanos = new AtomicLong(Long.MAX_VALUE);

  StormRecorder(int seconds) {
    this.buckets = seconds * 100;
    this.polls = new AtomicIntegerArray(buckets);
    this.firstPolls = new AtomicIntegerArray(buckets);
    this.reconnects = new AtomicIntegerArray(buckets);
  }

  /** Starts the clock: from now on the series record. */
  void start() {
    startNanos = System.nanoTime();
  }

  long startNanos() {
    return startNanos;
  }

  boolean started() {
    return startNanos != Long.MAX_VALUE;
  }

  /**
   * Records into a series.
   *
   * @param series one of this recorder's series
   * @param nowNanos System.nanoTime of the event
   */
  void record(AtomicIntegerArray series, long nowNanos) {
    long s = startNanos;
    if (nowNanos < s) {
      return;
    }
    long b = (nowNanos - s) / BUCKET_NANOS;
    if (b < buckets) {
      series.incrementAndGet((int) b);
    }
  }

  /** A failed poll or connect (the browser backs off). */
  void failed(long nowNanos) {
    if (started()) {
      failures.incrementAndGet();
      firstFailureNanos.accumulateAndGet(nowNanos, Math::min);
    }
  }

  /**
   * The spread of a series: how many, the most in any 100 ms and any 1 s (sliding windows), the
   * shortest time holding 90 % of them, when that window starts, the first and the last (seconds
   * from the start), and the count per second.
   *
   * @param series the series
   * @param fromSeconds consider only events from this many seconds after the start on
   * @return the figures, in order
   */
  Map<String, Object> spread(AtomicIntegerArray series, double fromSeconds) {
    int from = (int) Math.round(fromSeconds * 100);
    int[] c = new int[buckets];
    long total = 0;
    int first = -1;
    int last = -1;
    for (int i = Math.max(0, from); i < buckets; i++) {
      c[i] = series.get(i);
      total += c[i];
      if (c[i] > 0) {
        first = first < 0 ? i : first;
        last = i;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", total);
    m.put("maxPer100ms", maxWindow(c, 10));
    m.put("maxPerSecond", maxWindow(c, 100));
    long want = (long) Math.ceil(total * 0.9);
    int best = Integer.MAX_VALUE;
    int bestStart = -1;
    long sum = 0;
    int lo = 0;
    for (int hi = 0; hi < buckets; hi++) {
      sum += c[hi];
      while (sum - c[lo] >= want && lo < hi) {
        sum -= c[lo++];
      }
      if (want > 0 && sum >= want && hi - lo + 1 < best) {
        best = hi - lo + 1;
        bestStart = lo;
      }
    }
    m.put("seconds90", total == 0 ? 0 : best / 100.0);
    m.put("from90", total == 0 ? 0 : bestStart / 100.0);
    m.put("first", first / 100.0);
    m.put("last", last / 100.0);
    List<Integer> perSecond = new ArrayList<>();
    for (int s = 0; s * 100 < buckets; s++) {
      int n = 0;
      for (int i = s * 100; i < Math.min(buckets, s * 100 + 100); i++) {
        n += c[i];
      }
      perSecond.add(n);
    }
    m.put("perSecond", perSecond);
    return m;
  }

  private static int maxWindow(int[] c, int width) {
    int max = 0;
    int sum = 0;
    for (int i = 0; i < c.length; i++) {
      sum += c[i];
      if (i >= width) {
        sum -= c[i - width];
      }
      max = Math.max(max, sum);
    }
    return max;
  }
}
