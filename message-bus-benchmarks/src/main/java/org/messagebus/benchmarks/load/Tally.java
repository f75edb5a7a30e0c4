// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one selector worker counted. The counters the run phases watch while the worker runs are
 * atomic; the latency statistics and the rest are read only after the worker has stopped.
 */
final class Tally {
  /** Measured messages received for the first time. */
  final AtomicLong delivered = new AtomicLong();

  /** Warm-up messages received (duplicates included). */
  final AtomicLong warmup = new AtomicLong();

  /** Subscribers that have their first reply (they know their position) and a poll out. */
  final AtomicLong ready = new AtomicLong();

  /** TCP connections opened. */
  final AtomicLong connects = new AtomicLong();

  /** Poll requests sent. */
  final AtomicLong polls = new AtomicLong();

  /** SSE heartbeat comments and WebSocket pings received. */
  final AtomicLong heartbeats = new AtomicLong();

  /** Errors by kind. */
  final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();

  /** Measured messages received again. */
  long duplicates;

  /** Messages with an index outside the run, or not parseable. */
  long unexpected;

  /** Connections lost or dropped other than as announced by the server. */
  long reconnects;

  /** Storm runs: the arrival recorder shared by the workers (null otherwise). */
  volatile @org.jspecify.annotations.Nullable StormRecorder storm;

  /** Latency of every first receipt of a measured message. */
  final LatencyStats latency = new LatencyStats();

  /** Latency of the receipts of messages published before the poll that brought them was sent. */
  final LatencyStats viaBacklog = new LatencyStats();

  // The latency of the current sampling period (soak); swapped by the sampling thread.
  private LatencyStats period = new LatencyStats();

  synchronized void recordPeriod(long micros) {
    period.record(micros);
  }

  /**
   * Ends the current sampling period.
   *
   * @return the latencies recorded since the last call
   */
  synchronized LatencyStats takePeriod() {
    LatencyStats p = period;
    period = new LatencyStats();
    return p;
  }

  void error(String kind) {
    errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
  }

  /**
   * Adds the errors of this tally to a map.
   *
   * @param into the map to add to
   */
  void addErrorsTo(Map<String, Long> into) {
    errors.forEach((k, v) -> into.merge(k, v.get(), Long::sum));
  }

  /**
   * The errors of several tallies.
   *
   * @param tallies the tallies
   * @return kind → count, sorted
   */
  static Map<String, Long> errors(Iterable<Tally> tallies) {
    Map<String, Long> all = new TreeMap<>();
    for (Tally t : tallies) {
      t.addErrorsTo(all);
    }
    return all;
  }
}
