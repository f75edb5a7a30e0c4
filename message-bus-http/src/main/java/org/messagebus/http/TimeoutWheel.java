// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-polling timeouts of the held polls: a hashed wheel of coarse buckets. Arming and
 * cancelling a timeout is O(1), allocates nothing (a client is linked into its bucket through its
 * own fields) and only locks one bucket, so thousands of polls registering at once do not queue on
 * one timer lock. Time is an input: deadlines and expiry read a ticker (nanoseconds, {@link
 * System#nanoTime} in production), and {@link #expireDue} expires what is due at the ticker's
 * current reading. A daemon thread calls it every tick, unless the wheel is built without one
 * (tests advance a fake ticker and call it themselves, as with Caffeine's {@code
 * TimerWheel.advance}); a timeout fires up to one tick late (the tick is 1/64 of the interval,
 * between 1 ms and 250 ms).
 *
 * <p><b>Threads.</b> {@link #add} and {@link #remove} run on any thread, under the client's lock;
 * they take the bucket's monitor (lock order: client, then bucket). {@link #expireDue} runs on one
 * thread at a time (the wheel's, or the test's) and calls the expiry outside every bucket monitor.
 */
final class TimeoutWheel implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TimeoutWheel.class);
  private static final int BUCKETS = 256;

  private final long tickNanos;
  private final Bucket[] buckets = new Bucket[BUCKETS];
  private final Consumer<Client> onExpiry;
  private final LongSupplier ticker;
  private final @Nullable Thread thread;
  private final Object expiring = new Object();
  // The last tick fully expired; guarded by expiring.
  private long done;
  private volatile boolean closed;
  // The last tick whose slot was scanned; written inside that slot's monitor.
  private volatile long visited;

  /** The clients whose deadline falls on this slot (of any round), doubly linked. */
  private static final class Bucket {
    @Nullable Client head;
  }

  TimeoutWheel(Duration interval, Consumer<Client> onExpiry) {
    this(interval, onExpiry, System::nanoTime, true);
  }

  /**
   * A wheel on a ticker; with {@code ownThread} false nothing expires until {@link #expireDue} is
   * called.
   */
  TimeoutWheel(
      Duration interval, Consumer<Client> onExpiry, LongSupplier ticker, boolean ownThread) {
    long tick = interval.toNanos() / 64;
    this.tickNanos = Math.max(1_000_000L, Math.min(250_000_000L, tick));
    this.onExpiry = onExpiry;
    this.ticker = ticker;
    for (int i = 0; i < BUCKETS; i++) {
      buckets[i] = new Bucket();
    }
    this.visited = Math.floorDiv(ticker.getAsLong(), tickNanos);
    this.done = visited;
    if (ownThread) {
      this.thread = DaemonThreads.newThread("message-bus-http-timer", this::run);
      thread.start();
    } else {
      this.thread = null;
    }
  }

  /** The length of one tick: how late a timeout may fire. */
  long tickNanos() {
    return tickNanos;
  }

  /**
   * Arms the client's timeout at a deadline on the ticker. A deadline whose slot the wheel has
   * already passed (it is due, or the wheel is scanning that tick) goes to the next slot to be
   * scanned, so it is never left for a whole turn.
   */
  void add(Client c, long deadlineNanos) {
    long tick = Math.floorDiv(deadlineNanos, tickNanos);
    while (true) {
      long target = Math.max(tick, visited + 1);
      Bucket b = buckets[(int) Math.floorMod(target, (long) BUCKETS)];
      synchronized (b) {
        if (visited >= target) {
          continue; // the wheel scanned that slot meanwhile
        }
        c.wheelDeadline = deadlineNanos;
        c.wheelBucket = b;
        c.wheelPrev = null;
        c.wheelNext = b.head;
        if (b.head != null) {
          b.head.wheelPrev = c;
        }
        b.head = c;
        return;
      }
    }
  }

  /** Disarms the client's timeout, if armed. */
  void remove(Client c) {
    Object owner = c.wheelBucket;
    if (owner == null) {
      return;
    }
    Bucket b = (Bucket) owner;
    synchronized (b) {
      if (c.wheelBucket != b) {
        return;
      }
      unlink(b, c);
    }
  }

  private static void unlink(Bucket b, Client c) {
    if (c.wheelPrev != null) {
      c.wheelPrev.wheelNext = c.wheelNext;
    } else {
      b.head = c.wheelNext;
    }
    if (c.wheelNext != null) {
      c.wheelNext.wheelPrev = c.wheelPrev;
    }
    c.wheelPrev = null;
    c.wheelNext = null;
    c.wheelBucket = null;
  }

  private void run() {
    while (!closed) {
      LockSupport.parkNanos(tickNanos);
      expireDue();
    }
  }

  /** Expires every armed timeout whose deadline the ticker has passed (up to one tick late). */
  void expireDue() {
    List<Client> due = new ArrayList<>();
    synchronized (expiring) {
      long now = ticker.getAsLong();
      long current = Math.floorDiv(now, tickNanos);
      // Visit every slot whose whole time span has passed since the last turn (each at most once
      // per turn): every deadline of this round in it is due; later rounds stay.
      for (long t = done + 1; t < current && t <= done + BUCKETS; t++) {
        Bucket b = buckets[(int) Math.floorMod(t, (long) BUCKETS)];
        synchronized (b) {
          visited = t;
          Client c = b.head;
          while (c != null) {
            Client next = c.wheelNext;
            if (c.wheelDeadline - now <= 0) {
              unlink(b, c);
              due.add(c);
            }
            c = next;
          }
        }
      }
      done = Math.max(done, current - 1);
    }
    for (Client c : due) {
      try {
        onExpiry.accept(c);
      } catch (RuntimeException e) {
        LOG.warn("failed to expire the poll of client {}", c.id, e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) {
      LockSupport.unpark(thread);
    }
  }
}
