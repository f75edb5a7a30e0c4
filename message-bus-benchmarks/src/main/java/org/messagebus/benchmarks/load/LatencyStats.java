// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Publish→receipt latencies in microseconds on an HdrHistogram (3 significant digits, up to one
 * hour), reported in milliseconds. One per selector worker, merged when the run ends. Not
 * thread-safe.
 */
final class LatencyStats {

  /** Longest latency recorded exactly; longer ones are recorded as this (and counted). */
  static final long HIGHEST_MICROS = 3_600_000_000L;

  private final Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
  private long clamped;

  /**
   * Records one latency.
   *
   * @param micros the latency; negative values (clock steps) are recorded as 0
   */
  void record(long micros) {
    long v = Math.max(0, micros);
    if (v > HIGHEST_MICROS) {
      clamped++;
      v = HIGHEST_MICROS;
    }
    histogram.recordValue(v);
  }

  /**
   * Adds another's samples to this one.
   *
   * @param other the other statistics
   */
  void add(LatencyStats other) {
    histogram.add(other.histogram);
    clamped += other.clamped;
  }

  /**
   * How many latencies were recorded.
   *
   * @return the count
   */
  long count() {
    return histogram.getTotalCount();
  }

  /**
   * How many latencies were longer than {@link #HIGHEST_MICROS}.
   *
   * @return the count
   */
  long clamped() {
    return clamped;
  }

  /**
   * A percentile in milliseconds, rounded to 0.1 ms.
   *
   * @param percentile from 0 to 100
   * @return the value, or -1 with no samples
   */
  double percentileMs(double percentile) {
    if (count() == 0) {
      return -1;
    }
    return roundMs(histogram.getValueAtPercentile(percentile));
  }

  /**
   * The largest latency in milliseconds.
   *
   * @return the value, or -1 with no samples
   */
  double maxMs() {
    return count() == 0 ? -1 : roundMs(histogram.getMaxValue());
  }

  private static double roundMs(long micros) {
    return Math.round(micros / 100.0) / 10.0;
  }

  /**
   * A one-line summary, e.g. {@code p50 7.5 p90 12.0 p99 17.3 p99.9 20.1 max 24.5}.
   *
   * @return the line
   */
  String summary() {
    return String.format(
        Locale.ROOT,
        "p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f",
        percentileMs(50),
        percentileMs(90),
        percentileMs(99),
        percentileMs(99.9),
        maxMs());
  }
}
