// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scheduler whose time only moves when the test says so, with a {@link Clock} on the same time:
 * tasks run on the test's thread, inside {@link #advance(Duration)}, in the order of their due time
 * (then of submission), and the clock reads the due time of the task that runs. Nothing runs on its
 * own and nothing waits on the wall clock. Tasks may be submitted from any thread.
 */
public final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService {

  /** Where the clock starts. */
  public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final Object lock = new Object();
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private final AtomicLong submissions = new AtomicLong();
  private volatile long now; // nanoseconds since START
  private boolean shutdown; // guarded by lock

  /**
   * Returns a clock showing this scheduler's time (UTC).
   *
   * @return the clock
   */
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("UTC only");
      }

      @Override
      public Instant instant() {
        return START.plusNanos(now);
      }
    };
  }

  /**
   * Returns how much time has passed since {@link #START}.
   *
   * @return the elapsed time
   */
  public Duration elapsed() {
    return Duration.ofNanos(now);
  }

  /**
   * Returns how many tasks wait (periodic ones count once).
   *
   * @return the number of queued tasks
   */
  public int queued() {
    synchronized (lock) {
      return (int) queue.stream().filter(t -> !t.isCancelled()).count();
    }
  }

  /** Runs every task that is due now, including those that become due by running others. */
  public void runDue() {
    advance(Duration.ZERO);
  }

  /**
   * Moves time forward, running every task due up to the new time in due order; the clock shows
   * each task's due time while it runs.
   *
   * @param by how far, zero or more
   */
  public void advance(Duration by) {
    long target = now + by.toNanos();
    while (true) {
      Task<?> next;
      synchronized (lock) {
        next = queue.peek();
        if (next == null || next.due > target) {
          break;
        }
        queue.poll();
      }
      if (next.isCancelled()) {
        continue;
      }
      now = Math.max(now, next.due);
      next.run();
    }
    now = target;
  }

  private <V> Task<V> enqueue(Task<V> task) {
    synchronized (lock) {
      if (shutdown) {
        throw new RejectedExecutionException("shut down");
      }
      queue.add(task);
    }
    return task;
  }

  private void requeue(Task<?> task) {
    synchronized (lock) {
      if (!shutdown) {
        queue.add(task);
      }
    }
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<>(Executors.callable(command), now + unit.toNanos(delay), 0, false));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(callable, now + unit.toNanos(delay), 0, false));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return enqueue(
        new Task<>(
            Executors.callable(command),
            now + unit.toNanos(initialDelay),
            unit.toNanos(period),
            true));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    // Tasks take no time here, so a fixed delay and a fixed rate are the same.
    return scheduleAtFixedRate(command, initialDelay, delay, unit);
  }

  @Override
  public void shutdown() {
    synchronized (lock) {
      shutdown = true;
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    synchronized (lock) {
      shutdown = true;
      List<Runnable> dropped = new ArrayList<>(queue);
      queue.clear();
      return dropped;
    }
  }

  @Override
  public boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  @Override
  public boolean isTerminated() {
    return isShutdown();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isShutdown();
  }

  private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private final long sequence = submissions.incrementAndGet();
    private final long period;
    private final boolean periodic;
    private long due;

    Task(Callable<V> callable, long due, long period, boolean periodic) {
      super(callable);
      this.due = due;
      this.period = period;
      this.periodic = periodic;
    }

    @Override
    public boolean isPeriodic() {
      return periodic;
    }

    @Override
    public void run() {
      if (!periodic) {
        super.run();
      } else if (runAndReset()) {
        due += period;
        requeue(this);
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(due - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      Task<?> o = (Task<?>) other;
      int byDue = Long.compare(due, o.due);
      return byDue != 0 ? byDue : Long.compare(sequence, o.sequence);
    }
  }
}
