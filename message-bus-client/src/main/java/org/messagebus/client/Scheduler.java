// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Time as an input of the client: the clock it reads (a {@code Retry-After} date) and where it runs
 * delayed work (every pause of the poll loop: after a poll, the backoff, a 429's wait). The client
 * never sleeps or reads the wall clock itself, so tests drive it with a manual scheduler.
 */
interface Scheduler {

  /**
   * Returns the current instant.
   *
   * @return now, by this scheduler's clock
   */
  Instant now();

  /**
   * Runs a task once after a delay, on a thread of the scheduler's (never the caller's).
   *
   * @param task what to run
   * @param delay how long from now; zero runs it as soon as possible
   * @return a handle to cancel it
   */
  Task schedule(Runnable task, Duration delay);

  /** Releases the scheduler's threads; tasks not yet run are dropped. Idempotent. */
  void shutdown();

  /** A scheduled task. */
  interface Task {
    /** Prevents the task from running if it has not started. Idempotent. */
    void cancel();
  }

  /**
   * Returns the default scheduler: one daemon thread (started on the first task, ended a second
   * after the last) and the system clock.
   *
   * @param threadName the thread's name
   * @return a new scheduler, to be shut down by its owner
   */
  static Scheduler ownThread(String threadName) {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, r -> DaemonThreads.newThread(r, threadName));
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true); // a stopped client holds no thread
    return new Scheduler() {
      @Override
      public Instant now() {
        return Instant.now();
      }

      @Override
      public Task schedule(Runnable task, Duration delay) {
        ScheduledFuture<?> f = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      }

      @Override
      public void shutdown() {
        executor.shutdownNow();
      }
    };
  }
}
