// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;
import org.messagebus.BusClosedException;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded in-memory FIFO of publishes Redis refused for a while (read-only replica, loading,
 * unreachable), and the one flusher thread that writes it in order once Redis accepts writes again.
 *
 * <p><b>Concurrency.</b> {@code lock} guards the queue and {@code flusher}. Publishing threads
 * append (and start the flusher when there is none); the flusher is the only thread that removes
 * the head, and only after Redis stored it, so order is kept and nothing is lost while it retries.
 * Between attempts the flusher waits on {@code wake} for {@code retryInterval}; {@link #stop()}
 * signals it (and interrupts a command in progress), so stopping never waits out a retry. A message
 * Redis rejects for good (not a transient refusal) is logged at ERROR and dropped from the queue.
 */
final class PublishQueue {

  /** One publish waiting in the queue. */
  record Queued(String channel, String payload, BackendPublishOptions options) {}

  /** What writes one queued publish to Redis; throws Lettuce's exception on failure. */
  @FunctionalInterface
  interface Writer {
    void write(Queued p);
  }

  private static final Logger LOG = LoggerFactory.getLogger(PublishQueue.class);

  private final int max;
  private final Duration retryInterval;
  private final Writer writer;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final ArrayDeque<Queued> queue = new ArrayDeque<>(); // guarded by lock
  private @Nullable Thread flusher; // guarded by lock

  private final Runnable dropped;

  PublishQueue(int max, Duration retryInterval, Writer writer) {
    this(max, retryInterval, writer, () -> {});
  }

  /**
   * @param dropped told when a queued publish that Redis rejected for good is dropped (metrics)
   */
  PublishQueue(int max, Duration retryInterval, Writer writer, Runnable dropped) {
    this.max = max;
    this.retryInterval = retryInterval;
    this.writer = writer;
    this.dropped = dropped;
  }

  /**
   * Appends a publish if others are already waiting, so it keeps its place behind them.
   *
   * @return true if queued, false if the queue is empty (publish directly)
   * @throws PublishQueueFullException if the queue is full
   */
  boolean joinIfWaiting(Queued p) {
    lock.lock();
    try {
      if (queue.isEmpty()) {
        return false;
      }
      append(p, null);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends a publish Redis just refused.
   *
   * @throws PublishQueueFullException if the queue is full
   */
  void add(Queued p, @Nullable RuntimeException cause) {
    lock.lock();
    try {
      append(p, cause);
    } finally {
      lock.unlock();
    }
  }

  // caller holds lock
  private void append(Queued p, @Nullable RuntimeException cause) {
    if (queue.size() >= max) {
      throw new PublishQueueFullException(
          "Redis does not accept writes"
              + (cause == null ? "" : " (" + cause.getMessage() + ")")
              + " and the in-memory publish queue is full ("
              + max
              + " messages): the message to "
              + p.channel()
              + " was not published",
          cause);
    }
    if (queue.isEmpty() && cause != null) {
      LOG.warn(
          "Redis does not accept writes ({}); queueing publishes in memory until it does",
          cause.getMessage());
    }
    queue.addLast(p);
    startFlusher();
  }

  int size() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Starts the flusher if publishes wait and none runs (after a reconnect). */
  void start() {
    lock.lock();
    try {
      startFlusher();
    } finally {
      lock.unlock();
    }
  }

  // caller holds lock
  private void startFlusher() {
    if (flusher != null || queue.isEmpty()) {
      return;
    }
    Thread t = DaemonThreads.newThread("message-bus-redis-flusher", this::flushLoop);
    flusher = t;
    t.start();
  }

  /** Stops the flusher, keeping what is queued (logged) for a later {@link #start()}. */
  void stop() {
    Thread f;
    lock.lock();
    try {
      f = flusher;
      flusher = null;
      wake.signalAll();
      if (!queue.isEmpty()) {
        LOG.error(
            "closing the Redis backend with {} publishes still queued in memory; they are kept"
                + " and flushed if the backend is reconnected",
            queue.size());
      }
    } finally {
      lock.unlock();
    }
    if (f != null) {
      f.interrupt(); // a command in progress
    }
  }

  /** Writes the queue in order, waiting retryInterval after each transient refusal. */
  private void flushLoop() {
    Thread me = Thread.currentThread();
    int flushed = 0;
    while (true) {
      Queued head;
      lock.lock();
      try {
        head = flusher == me ? queue.peekFirst() : null;
        if (head == null) {
          if (flusher == me) {
            flusher = null;
          }
          if (flushed > 0) {
            LOG.info("flushed {} queued publishes to Redis", flushed);
          }
          return;
        }
      } finally {
        lock.unlock();
      }
      try {
        writer.write(head);
        removeHead();
        flushed++;
      } catch (RuntimeException e) {
        if (e instanceof RedisCommandInterruptedException
            || e instanceof BusClosedException
            || me.isInterrupted()) {
          return; // stopped: the message stays queued for a later start()
        }
        if (isTransient(e)) {
          LOG.debug("Redis still refuses writes ({}), retrying", e.getMessage());
          awaitRetry(me);
        } else {
          removeHead();
          dropped.run();
          LOG.error(
              "dropping undeliverable queued message to {}: Redis rejected it", head.channel(), e);
        }
      }
    }
  }

  private void removeHead() {
    lock.lock();
    try {
      queue.pollFirst();
    } finally {
      lock.unlock();
    }
  }

  /** Waits retryInterval, or less if {@link #stop()} signals. */
  private void awaitRetry(Thread me) {
    lock.lock();
    try {
      long nanos = retryInterval.toNanos();
      while (flusher == me && nanos > 0) {
        nanos = wake.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      me.interrupt(); // stop() interrupted us: the loop sees that we are no longer the flusher
    } finally {
      lock.unlock();
    }
  }

  /** True for a failure that may pass: read-only replica, loading, unreachable, timed out. */
  static boolean isTransient(Throwable e) {
    if (e instanceof RedisCommandInterruptedException) {
      return false;
    }
    if (e instanceof RedisCommandExecutionException) {
      String m = String.valueOf(e.getMessage());
      return m.startsWith("READONLY")
          || m.startsWith("LOADING")
          || m.startsWith("MASTERDOWN")
          || m.startsWith("NOREPLICAS")
          || m.startsWith("TRYAGAIN")
          || m.startsWith("BUSY")
          || m.startsWith("OOM");
    }
    return e instanceof RedisException || e instanceof BackendException;
  }
}
