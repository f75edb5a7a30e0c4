// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
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
 *
 * <p><b>Uncertain publishes.</b> A publish whose failure is {@linkplain #isAmbiguous ambiguous}
 * (the connection was lost or the command timed out after it was sent) may have been executed by
 * Redis with only its reply lost. It is queued {@linkplain Queued#uncertain() uncertain}, with a
 * lower bound on the global id Redis had before it was sent. Before writing such a head, the
 * flusher asks the {@link StoredCheck} whether Redis already holds it (a global backlog entry above
 * the bound on the same channel whose message has the same payload); if so it is removed from the
 * queue without being written again, so it is stored (and delivered) once. Each stored message is
 * taken for at most one queued publish during a flush: the flusher remembers the messages it
 * matched and the ones it wrote itself. A write of the flusher's own that fails ambiguously (or is
 * interrupted by {@link #stop()}) marks its publish uncertain the same way. <b>Residual risk:</b> a
 * message with the identical payload published to the same channel by another publisher (or
 * process) between the bound and the check is taken for ours, and ours is then not written; and if
 * Redis trimmed or expired our message before the check, it is written again.
 */
final class PublishQueue {

  /**
   * One publish waiting in the queue.
   *
   * @param uncertainAfter for a publish that may already be stored ({@linkplain #isAmbiguous
   *     ambiguous failure}), a global id at most the one Redis had before it was sent; {@link
   *     #CERTAIN} for a publish Redis certainly did not store
   */
  record Queued(
      String channel, String payload, BackendPublishOptions options, long uncertainAfter) {

    /** {@link #uncertainAfter} of a publish Redis certainly did not store. */
    static final long CERTAIN = -1;

    Queued(String channel, String payload, BackendPublishOptions options) {
      this(channel, payload, options, CERTAIN);
    }

    boolean uncertain() {
      return uncertainAfter >= 0;
    }

    /** The same publish, marked uncertain with a lower bound on the global id. */
    Queued uncertainAfter(long globalId) {
      return new Queued(channel, payload, options, Math.max(0, globalId));
    }
  }

  /** What writes one queued publish to Redis; throws Lettuce's exception on failure. */
  @FunctionalInterface
  interface Writer {
    /** Writes one publish and returns the channel message id Redis stored it under. */
    long write(Queued p);
  }

  /** Whether Redis already stored an uncertain publish; throws on failure to read. */
  @FunctionalInterface
  interface StoredCheck {
    /**
     * Returns the stored message {@code p} became, as {@code "<message id>|<channel>"}, or null if
     * Redis holds none; a message in {@code taken} (same form) must not be returned.
     */
    @Nullable String find(Queued p, Set<String> taken);

    /** A global id at most Redis's current one (read before a write); 0 if none is known. */
    default long globalIdBound() {
      return 0;
    }
  }

  /** A check for a queue whose publishes are never uncertain. */
  static final StoredCheck NEVER_STORED = (p, taken) -> null;

  private static final Logger LOG = LoggerFactory.getLogger(PublishQueue.class);

  private final int max;
  private final Duration retryInterval;
  private final Writer writer;
  private final StoredCheck storedCheck;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final ArrayDeque<Queued> queue = new ArrayDeque<>(); // guarded by lock
  private @Nullable Thread flusher; // guarded by lock

  private final Runnable dropped;

  PublishQueue(int max, Duration retryInterval, Writer writer) {
    this(max, retryInterval, writer, NEVER_STORED, () -> {});
  }

  /**
   * @param storedCheck tells whether an uncertain publish is already stored
   * @param dropped told when a queued publish that Redis rejected for good is dropped (metrics)
   */
  PublishQueue(
      int max, Duration retryInterval, Writer writer, StoredCheck storedCheck, Runnable dropped) {
    this.max = max;
    this.retryInterval = retryInterval;
    this.writer = writer;
    this.storedCheck = storedCheck;
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
    // Stored messages already accounted for ("<message id>|<channel>"): matched or written here.
    Set<String> taken = new HashSet<>();
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
      long bound = 0;
      try {
        if (head.uncertain()) {
          String stored = storedCheck.find(head, taken);
          if (stored != null) {
            taken.add(stored);
            removeHead();
            LOG.info(
                "a publish to {} whose reply was lost had been stored by Redis (as {}); not"
                    + " writing it again",
                head.channel(),
                stored);
            continue;
          }
        }
        bound = storedCheck.globalIdBound();
        long id = writer.write(head);
        taken.add(id + "|" + head.channel());
        removeHead();
        flushed++;
      } catch (RuntimeException e) {
        if (!head.uncertain()
            && (e instanceof RedisCommandInterruptedException || isAmbiguous(e))) {
          markHeadUncertain(head, bound); // our own write may have reached Redis
        }
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

  /** Replaces the head (still {@code head}: only the flusher removes it) by it marked uncertain. */
  private void markHeadUncertain(Queued head, long bound) {
    lock.lock();
    try {
      if (!queue.isEmpty()) {
        queue.pollFirst();
        queue.addFirst(head.uncertainAfter(bound));
      }
    } finally {
      lock.unlock();
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

  /**
   * True for a transient failure after which Redis may nevertheless have executed the command: the
   * connection was lost (or closed) after the command was written (Lettuce fails the commands in
   * flight with "Connection disconnected"), or the command timed out. False for a refusal ({@code
   * READONLY}, {@code LOADING}, {@code OOM}...), a failure to connect, and a command Lettuce
   * rejected without writing it (not connected, connection closed, queue full).
   */
  static boolean isAmbiguous(Throwable e) {
    if (!isTransient(e)
        || e instanceof RedisCommandExecutionException
        || e instanceof RedisConnectionException
        || e instanceof BackendException) {
      return false;
    }
    String m = String.valueOf(e.getMessage());
    return !(m.startsWith("Currently not connected")
        || m.startsWith("Connection is closed")
        || m.startsWith("Request queue size exceeded")
        || m.startsWith("Command buffer size exceeded"));
  }
}
