// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose clock moves only when the test says so; tasks run on the test's thread
 * in {@link #runDue()} and {@link #advance}. Tasks may be scheduled from any thread.
 */
final class ManualScheduler implements Scheduler {

  /** The clock's start: a fixed instant far from the wall clock, so a leak of it shows. */
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  private Instant now = START;
  private long order;
  private final PriorityQueue<Entry> queue =
      new PriorityQueue<>(Comparator.comparing((Entry e) -> e.due).thenComparingLong(e -> e.order));

  private final class Entry implements Task {
    final Instant due;
    final long order;
    final Runnable task;

    Entry(Instant due, long order, Runnable task) {
      this.due = due;
      this.order = order;
      this.task = task;
    }

    @Override
    public void cancel() {
      synchronized (ManualScheduler.this) {
        queue.remove(this);
      }
    }
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public synchronized Task schedule(Runnable task, Duration delay) {
    Entry e = new Entry(now.plus(delay), order++, task);
    queue.add(e);
    return e;
  }

  @Override
  public void shutdown() {}

  /**
   * Runs every task due by now, those they schedule for now included, in order.
   *
   * @return how many ran
   */
  int runDue() {
    int ran = 0;
    while (true) {
      Entry e;
      synchronized (this) {
        e = queue.peek();
        if (e == null || e.due.isAfter(now)) {
          return ran;
        }
        queue.poll();
      }
      e.task.run();
      ran++;
    }
  }

  /**
   * Moves the clock forward, then runs what fell due.
   *
   * @param by how far
   */
  void advance(Duration by) {
    synchronized (this) {
      now = now.plus(by);
    }
    runDue();
  }

  /**
   * Returns the delay from now of the earliest task.
   *
   * @return the delay, or null when nothing is scheduled
   */
  synchronized Duration nextDelay() {
    Entry e = queue.peek();
    return e == null ? null : Duration.between(now, e.due);
  }

  /**
   * Returns the number of tasks scheduled.
   *
   * @return the count
   */
  synchronized int pending() {
    return queue.size();
  }

  /**
   * Runs the loop's steps as they fall due — waiting (up to 10 s) for work that other threads, such
   * as the HTTP client's, schedule — until the next task lies in the future, and returns how far.
   *
   * @return the next pause
   */
  Duration runUntilPause() {
    while (true) {
      await().atMost(Duration.ofSeconds(10)).until(() -> nextDelay() != null);
      Duration next = nextDelay();
      if (!next.isZero() && !next.isNegative()) {
        return next;
      }
      runDue();
    }
  }
}
