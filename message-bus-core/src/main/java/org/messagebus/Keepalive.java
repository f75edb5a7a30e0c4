// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keepalive (SPEC §2.6): while the firehose runs, every interval it checks that this process
 * received something lately, then publishes the pid to {@value MessageBus#KEEPALIVE_CHANNEL} so
 * that there is something to receive.
 *
 * <p><b>Time is an input.</b> Silence is measured on the bus's {@link Clock} against the stamp the
 * dispatcher puts on every message it receives, and the ticks run on the bus's scheduler: a test
 * that supplies both decides when a tick happens and how much time has passed.
 *
 * <p><b>Health.</b> A tick that finds more than three intervals of silence marks the bus unhealthy
 * (logged, told to the {@link ErrorListener}); the next message received makes it healthy again at
 * once, and so does a tick that finds no silence. The tick checks <em>before</em> it publishes, so
 * what it finds never depends on how fast its own keepalive comes back. Unhealthy is recorded as
 * the dispatch sequence number at that tick, and {@link #isHealthy()} compares it with the current
 * one: no write on the dispatch thread, and a message that races with the tick still counts (the
 * dispatcher stamps the time before it advances the sequence, and the tick reads them in the other
 * order).
 *
 * <p><b>Threads.</b> {@link #start()} and {@link #stop()} are called under the bus's lifecycle lock
 * (and are synchronized besides); ticks run on the scheduler; {@link #isHealthy()} reads volatile
 * fields only.
 */
final class Keepalive {

  private static final Logger LOG = LoggerFactory.getLogger(Keepalive.class);
  private static final long HEALTHY = -1;

  private final BusContext bus;
  private final Duration interval;
  private final Clock clock;
  private final Runnable publish;

  private @Nullable ScheduledFuture<?> task; // guarded by this

  // The dispatch sequence at the tick that found too long a silence, or HEALTHY.
  private volatile long unhealthyAtSequence = HEALTHY;

  /**
   * @param bus the bus's parts
   * @param interval the interval; zero disables the keepalive
   * @param clock measures silence
   * @param publish publishes one keepalive message
   */
  Keepalive(BusContext bus, Duration interval, Clock clock, Runnable publish) {
    this.bus = bus;
    this.interval = interval;
    this.clock = clock;
    this.publish = publish;
  }

  /** Schedules the ticks, every interval from now, unless disabled or already scheduled. */
  synchronized void start() {
    if (interval.isZero() || task != null) {
      return;
    }
    ScheduledExecutorService s = bus.background().scheduler();
    if (s == null) {
      return;
    }
    long nanos = interval.toNanos();
    try {
      task = s.scheduleWithFixedDelay(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("keepalive not started: the scheduler is shut down");
    }
  }

  /** Cancels the ticks. */
  synchronized void stop() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
  }

  /** True unless a tick found too long a silence and nothing was received since. */
  boolean isHealthy() {
    long at = unhealthyAtSequence;
    return at == HEALTHY || bus.dispatcher().sequence() != at;
  }

  /** One keepalive: check the silence, then publish. Runs on the scheduler. */
  void tick() {
    if (bus.isClosed()) {
      return;
    }
    long sequence = bus.dispatcher().sequence();
    long silence = clock.millis() - bus.dispatcher().lastReceivedMillis();
    if (silence > 3 * interval.toMillis()) {
      unhealthyAtSequence = sequence;
      LOG.warn(
          "message bus is no longer functioning correctly: nothing received for {} ms", silence);
      bus.errors().keepaliveMissed(Duration.ofMillis(silence));
    } else {
      unhealthyAtSequence = HEALTHY;
    }
    try {
      publish.run();
    } catch (RuntimeException e) {
      LOG.warn("keepalive publish failed: {}", e.toString());
      bus.errors().background(e);
    }
  }
}
