// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.messagebus.observe.BusObserver;

/**
 * Measures the delay from the start of this process's own publishes to their arrival on this
 * process's dispatch thread, with this process's clock only: the envelope carries no publish time
 * (SPEC §1.4), so the publish start is kept here, by stored channel and message id, until the
 * message comes back.
 *
 * <p><b>The race.</b> The message may reach the dispatch thread before {@code backend.publish}
 * returns its id (the memory backend hands it over under its lock; Redis answers the publish and
 * announces it on different connections). So both sides meet in one map: whichever arrives second
 * finds the other's entry and records the lag. The dispatch side leaves an entry only while a
 * publish is in flight here ({@link #inFlight}), so other processes' messages cost one failed
 * lookup at most.
 *
 * <p><b>Sampling.</b> Measuring a lag costs two map operations, two small objects and a clock read
 * on each side (about 130 ns and 120 B of the ~210 ns a bound registry added per publish and
 * dispatch); so at most one own publish per sample interval ({@link
 * MessageBus.Builder#dispatchLagSampleInterval}, 1 ms by default) is measured: below 1,000
 * publishes a second every one is, above it the cost is spread over the publishes in between
 * ({@link #sample}).
 *
 * <p><b>Bounds.</b> Entries whose other side never comes (a message published while the firehose
 * was restarting; another process's message dispatched while one of ours was in flight) would stay;
 * when more than {@link #MAX_PENDING} are waiting, all are dropped, losing a few samples at most.
 * The lag timer's count therefore says how many lags were measured, not how many messages were
 * published.
 */
final class DispatchLag {

  /** How many unmatched entries may wait before all are dropped. */
  static final int MAX_PENDING = 10_000;

  private final long sampleIntervalNanos;

  private static final boolean PUBLISHED = false;
  private static final boolean DISPATCHED = true;

  private record Key(String channel, long messageId) {}

  private record Stamp(long nanos, boolean side) {}

  private final ConcurrentHashMap<Key, Stamp> pending = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * When the last sampled publish started. Read and written by publishing threads without a lock:
   * two publishes racing for one slot may both be sampled, which costs nothing but a sample.
   */
  private long lastSampleNanos;

  private boolean sampledOnce;

  /**
   * @param sampleIntervalNanos at most one own publish per this many nanoseconds has its lag
   *     measured; 0 measures every one
   */
  DispatchLag(long sampleIntervalNanos) {
    this.sampleIntervalNanos = sampleIntervalNanos;
  }

  /**
   * Whether the publish that starts now should have its lag measured: the first one, then one per
   * sample interval. A {@code true} must be followed by {@link #beforePublish} and {@link
   * #afterPublish}.
   *
   * @param startNanos the publish's start, from {@link System#nanoTime()}
   */
  boolean sample(long startNanos) {
    if (sampledOnce && startNanos - lastSampleNanos < sampleIntervalNanos) {
      return false;
    }
    lastSampleNanos = startNanos;
    sampledOnce = true;
    return true;
  }

  void beforePublish() {
    inFlight.incrementAndGet();
  }

  /** The publish returned id (0 or less: nothing stored, nothing to wait for). */
  void afterPublish(String channel, long messageId, long startNanos, BusObserver o) {
    try {
      if (messageId > 0) {
        meet(new Key(channel, messageId), new Stamp(startNanos, PUBLISHED), o);
      }
    } finally {
      inFlight.decrementAndGet();
    }
  }

  void onDispatch(String channel, long messageId, BusObserver o) {
    if (pending.isEmpty() && inFlight.get() == 0) {
      return; // no sampled publish in flight or waiting: no clock read, no lookup
    }
    onDispatch(channel, messageId, System.nanoTime(), o);
  }

  void onDispatch(String channel, long messageId, long nowNanos, BusObserver o) {
    if (pending.isEmpty() && inFlight.get() == 0) {
      return;
    }
    Key key = new Key(channel, messageId);
    Stamp published = pending.get(key);
    if (published != null && published.side() == PUBLISHED) {
      if (pending.remove(key, published)) {
        o.dispatchLag(nowNanos - published.nanos());
      }
      return;
    }
    if (inFlight.get() > 0) {
      meet(key, new Stamp(nowNanos, DISPATCHED), o);
    }
  }

  private void meet(Key key, Stamp mine, BusObserver o) {
    while (true) {
      Stamp other = pending.putIfAbsent(key, mine);
      if (other == null) {
        if (pending.size() > MAX_PENDING) {
          pending.clear();
        }
        return;
      }
      if (other.side() == mine.side()) {
        // A stale entry of the same side (ids restarted after a reset): the newer one counts.
        if (pending.replace(key, other, mine)) {
          return;
        }
        continue;
      }
      if (pending.remove(key, other)) {
        long publishedAt = mine.side() == PUBLISHED ? mine.nanos() : other.nanos();
        long dispatchedAt = mine.side() == DISPATCHED ? mine.nanos() : other.nanos();
        o.dispatchLag(Math.max(0, dispatchedAt - publishedAt));
        return;
      }
    }
  }

  /** How many entries wait for their other side (for tests). */
  int pending() {
    return pending.size();
  }
}
