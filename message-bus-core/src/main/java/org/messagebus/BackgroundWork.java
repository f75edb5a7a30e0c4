// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus's background thread: its scheduler (supplied by the application, or one daemon thread
 * {@code message-bus-timer-N} created on first use and shut down on close) and the <em>work</em>
 * run on it (start the firehose, catch up subscriptions made during an outage).
 *
 * <p><b>Threads.</b> {@link #request()} may be called from any thread; the work runs on the
 * scheduler, never twice at once ({@code runLock}), and again as long as requests came in while it
 * ran ({@code again}), so no request is lost and requests made while it is queued are merged. When
 * the work reports that the store is away it is tried again after {@code retryInterval} (one retry
 * queued at most); time is the scheduler's, so a test scheduler decides when that is. Once the bus
 * is closed nothing is queued: {@code on()} and {@code reconnect()} request again.
 */
final class BackgroundWork {

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundWork.class);

  private final @Nullable ScheduledExecutorService supplied;
  private final Duration retryInterval;
  private final BooleanSupplier closed;
  private final BooleanSupplier work;

  private final Object schedulerLock = new Object();
  private @Nullable ScheduledExecutorService own; // guarded by schedulerLock

  private final ReentrantLock runLock = new ReentrantLock();
  private final AtomicBoolean queued = new AtomicBoolean();
  private final AtomicBoolean retryQueued = new AtomicBoolean();
  private volatile boolean again;

  /**
   * @param supplied the application's scheduler, or null to create one
   * @param retryInterval how long to wait before retrying work that found the store away
   * @param closed whether the bus is closed
   * @param work the work; returns true if something waits for the store and must be retried
   */
  BackgroundWork(
      @Nullable ScheduledExecutorService supplied,
      Duration retryInterval,
      BooleanSupplier closed,
      BooleanSupplier work) {
    this.supplied = supplied;
    this.retryInterval = retryInterval;
    this.closed = closed;
    this.work = work;
  }

  /** The scheduler of the keepalive and the work, or null once the bus is closed. */
  @Nullable ScheduledExecutorService scheduler() {
    if (supplied != null) {
      return closed.getAsBoolean() ? null : supplied;
    }
    synchronized (schedulerLock) {
      if (closed.getAsBoolean()) {
        return null;
      }
      if (own == null) {
        own = DaemonThreads.singleThreadScheduler("message-bus-timer");
      }
      return own;
    }
  }

  /** Runs the work on the scheduler soon (at once if it is idle). */
  void request() {
    again = true;
    if (!queued.compareAndSet(false, true)) {
      return; // a run is queued and will see again
    }
    if (!submit(this::run, 0)) {
      queued.set(false); // closed: on() and reconnect() ask again
    }
  }

  private void run() {
    queued.set(false);
    if (!runLock.tryLock()) {
      return; // another run is busy; it checks again once more after unlocking
    }
    boolean retry = false;
    try {
      while (again && !closed.getAsBoolean()) {
        again = false;
        retry = work.getAsBoolean();
      }
    } finally {
      runLock.unlock();
    }
    if (again && !closed.getAsBoolean()) {
      request();
    } else if (retry) {
      scheduleRetry();
    }
  }

  private void scheduleRetry() {
    if (!retryQueued.compareAndSet(false, true)) {
      return;
    }
    Runnable retry =
        () -> {
          retryQueued.set(false);
          request();
        };
    if (!submit(retry, retryInterval.toNanos())) {
      retryQueued.set(false);
    }
  }

  /** Hands a task to the scheduler; false if the bus is closed or the scheduler shut down. */
  private boolean submit(Runnable task, long delayNanos) {
    ScheduledExecutorService s = scheduler();
    if (s == null) {
      return false;
    }
    try {
      if (delayNanos == 0) {
        s.execute(task);
      } else {
        // The work reports its own failures (Firehose, SubscriptionReplay); nothing waits on it.
        var unused = s.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      }
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /**
   * Shuts down the scheduler the bus created (a supplied one is left alone) and forgets queued
   * runs, so that {@code on()} and {@code reconnect()} queue anew. Called by {@code close()} after
   * the bus is marked closed.
   *
   * @return the scheduler shut down, to {@linkplain #awaitTermination await}; null if none
   */
  @Nullable ScheduledExecutorService shutdown() {

    ScheduledExecutorService stopped;
    synchronized (schedulerLock) {
      stopped = own;
      own = null;
    }
    if (stopped != null) {
      stopped.shutdownNow(); // drops a queued run or retry
      queued.set(false);
      retryQueued.set(false);
    }
    return stopped;
  }

  /** Waits (up to 5 s) for a scheduler returned by {@link #shutdown()} to end its thread. */
  static void awaitTermination(@Nullable ScheduledExecutorService stopped) {
    if (stopped == null) {
      return;
    }
    try {
      if (!stopped.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("the message bus background thread did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
