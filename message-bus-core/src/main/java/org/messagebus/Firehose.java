// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus's one subscription to every message of the backend ({@link Backend#globalSubscribe}),
 * feeding the {@link Dispatcher}: started in the background with the first subscription, stopped by
 * {@code close()} and {@code reconnect()}, started again after them; the keepalive runs while it
 * does.
 *
 * <p><b>Where it starts.</b> From the global id after the last message the dispatcher received (a
 * restart misses nothing the store still holds); on a bus that never received one, from a global id
 * fixed by {@link #fixStart()} before any subscription reads its replay horizon, so nothing between
 * the two is lost; on a bus that never reached its store, from the store's newest id once it does.
 *
 * <p><b>Threads and locks.</b> {@code lifecycle} (the bus's, shared with {@code close()} and {@code
 * reconnect()}) guards the fields below; it is never held during a store call: {@link
 * #startIfNeeded()} reads what to do under it, subscribes without it, and installs the result under
 * it only if nothing stopped the firehose meanwhile (the {@code epoch} did not move), closing it
 * otherwise. {@link #startIfNeeded()} runs on the bus's background thread, and on a subscribing
 * thread before it reads its replay: starting only in the background would leave a window, as long
 * as the background thread waits for a CPU, in which messages published after {@code subscribe}
 * returned can be trimmed from the store (retention) before the firehose replays them from its
 * start. Starts are serialised by their own lock, {@code starting}, taken before {@code lifecycle}
 * and held during the start's store calls (only another start waits for it).
 */
final class Firehose {

  private static final Logger LOG = LoggerFactory.getLogger(Firehose.class);

  private final BusContext bus;
  private final Backend backend;
  private final Dispatcher dispatcher;
  private final Keepalive keepalive;
  private final ReentrantLock lifecycle;
  // One start at a time (two would dispatch the same messages twice); taken before lifecycle.
  private final ReentrantLock starting = new ReentrantLock();

  // guarded by lifecycle (written), volatile for lock-free readers
  private volatile @Nullable BackendSubscription subscription;

  // guarded by lifecycle
  private boolean wanted;
  private long from = -1;
  private long epoch;

  /**
   * @param bus the bus's parts
   * @param keepalive runs while the firehose does
   * @param lifecycle the bus's lifecycle lock
   */
  Firehose(BusContext bus, Keepalive keepalive, ReentrantLock lifecycle) {
    this.bus = bus;
    this.backend = bus.backend();
    this.dispatcher = bus.dispatcher();
    this.keepalive = keepalive;
    this.lifecycle = lifecycle;
  }

  /** Whether live messages can arrive: the subscription is up. */
  boolean isListening() {
    BackendSubscription f = subscription;
    return !bus.isClosed() && f != null && f.isSubscribed();
  }

  /** Whether it is down while subscriptions wait for it. */
  boolean needsStart() {
    BackendSubscription f = subscription;
    return !bus.isClosed() && (f == null || f.isClosed()) && dispatcher.hasSubscriptions();
  }

  /** Asks the background thread to start the firehose (and the keepalive) if they do not run. */
  void startListening() {
    lifecycle.lock();
    try {
      if (bus.isClosed()) {
        return;
      }
      wanted = true;
      BackendSubscription f = subscription;
      if (f != null && !f.isClosed()) {
        return;
      }
    } finally {
      lifecycle.unlock();
    }
    bus.background().request();
  }

  /**
   * Makes sure the firehose will start from a global id no later than anything read from the store
   * after this returns: a subscription reads its replay horizon only afterwards, so the firehose
   * delivers everything past that horizon.
   *
   * @throws BackendException if the store cannot be read
   */
  void fixStart() {
    lifecycle.lock();
    try {
      if (from >= 0 || dispatcher.lastGlobalId() >= 0) {
        return;
      }
    } finally {
      lifecycle.unlock();
    }
    long newest = backend.lastGlobalId();
    lifecycle.lock();
    try {
      if (from < 0) {
        from = newest;
      }
    } finally {
      lifecycle.unlock();
    }
  }

  // guarded by lifecycle
  private long start() {
    long last = dispatcher.lastGlobalId();
    return last >= 0 ? last : from;
  }

  /**
   * Starts the firehose if it should run and does not. Called by the bus's background thread and by
   * a subscribing thread before it reads its replay (so that the firehose is up when {@code
   * subscribe} returns); {@code starting} lets one start run at a time, so a caller may wait for a
   * start under way on another thread. No other lock is held during a store call.
   *
   * @return false if it should run but could not be started yet (retry later)
   */
  boolean startIfNeeded() {
    BackendSubscription running = subscription;
    if (running != null && !running.isClosed()) {
      return true;
    }
    starting.lock();
    try {
      return startOnce();
    } finally {
      starting.unlock();
    }
  }

  // the caller holds starting
  private boolean startOnce() {
    long startEpoch;
    long after;
    lifecycle.lock();
    try {
      BackendSubscription f = subscription;
      if (bus.isClosed() || !wanted || (f != null && !f.isClosed())) {
        return true;
      }
      startEpoch = epoch;
      after = start();
    } finally {
      lifecycle.unlock();
    }
    BackendSubscription started;
    try {
      if (after < 0) {
        fixStart();
        lifecycle.lock();
        try {
          after = start();
        } finally {
          lifecycle.unlock();
        }
      }
      dispatcher.markReceivedNow();
      dispatcher.firehoseStartsAfter(after);
      started = backend.globalSubscribe(after, dispatcher);
    } catch (BackendException e) {
      LOG.debug("cannot start listening yet: {}", e.getMessage());
      return false;
    } catch (BusClosedException e) {
      return true;
    } catch (RuntimeException e) {
      LOG.warn("starting the backend subscription failed, retrying in {}", bus.retryInterval(), e);
      bus.errors().background(e);
      return false;
    }
    boolean keep;
    lifecycle.lock();
    try {
      BackendSubscription f = subscription;
      keep = !bus.isClosed() && epoch == startEpoch && (f == null || f.isClosed());
      if (keep) {
        subscription = started;
        keepalive.start();
      }
    } finally {
      lifecycle.unlock();
    }
    if (!keep) {
      started.close(); // closed or reconnected meanwhile
    }
    return true;
  }

  /**
   * Stops the firehose and the keepalive; a start under way is discarded. The caller holds the
   * lifecycle lock ({@code close()}, {@code reconnect()}).
   */
  void stop() {
    lifecycle.lock();
    try {
      epoch++;
      keepalive.stop();
      BackendSubscription f = subscription;
      subscription = null;
      if (f != null) {
        f.close();
      }
    } finally {
      lifecycle.unlock();
    }
  }

  /**
   * After {@code reconnect()}: whether the firehose should start again, which it should when
   * subscriptions exist. The caller holds the lifecycle lock.
   *
   * @return the new wish
   */
  boolean restartIfSubscribed() {
    lifecycle.lock();
    try {
      wanted = dispatcher.hasSubscriptions();
      return wanted;
    } finally {
      lifecycle.unlock();
    }
  }
}
