// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.observe;

/**
 * Hears what a {@link org.messagebus.MessageBus} does, for metrics: publishes and their latency,
 * messages dispatched, the delay from publish to dispatch, listener failures, and the events of the
 * parts built on the bus (the distributed cache). Every method has an empty default, so an
 * implementation overrides only what it counts. Gauges (subscriptions, keepalive health, the
 * backend's {@linkplain org.messagebus.BackendState connection state}) are read from the bus
 * instead: {@link org.messagebus.MessageBus#subscriptionCount()}, {@link
 * org.messagebus.MessageBus#isHealthy()}, {@link org.messagebus.MessageBus#backendState()} and
 * {@link org.messagebus.MessageBus#addBackendStateListener} (the same signal health checks read).
 *
 * <p><b>Cost.</b> A bus without an observer calls nothing: each event site reads one field and
 * compares it with {@link #NOOP} (the publish path does not even read the clock).
 *
 * <p><b>Threads.</b> Methods are called on the threads where the events happen (publishing threads,
 * the dispatch thread, cache readers), concurrently: implementations must be thread-safe, fast and
 * must not block or use the bus. What a method throws is logged (once per observer) and ignored.
 */
public interface BusObserver {

  /** The observer that does nothing: a bus without observers reports to it. */
  BusObserver NOOP = new BusObserver() {};

  /**
   * The {@code nanos} of a publish that was not timed: publishes coming faster than one per {@link
   * org.messagebus.MessageBus.Builder#publishTimingSampleInterval timing sample interval} are timed
   * on a random sample.
   */
  long UNTIMED = -1;

  /**
   * A publish ended (the keepalive's included). Called for every publish, timed or not: counts from
   * it are exact; durations are those of a sample when publishes come fast ({@link
   * org.messagebus.MessageBus.Builder#publishTimingSampleInterval}).
   *
   * @param outcome how it ended
   * @param nanos how long the backend took, in nanoseconds (0 for {@link PublishOutcome#DISABLED},
   *     which never reaches it), or {@link #UNTIMED} if this publish was not timed
   */
  default void published(PublishOutcome outcome, long nanos) {}

  /** The dispatch thread received one message from the backend (before routing it). */
  default void dispatched() {}

  /**
   * A message this process published was dispatched by this process: the time from the start of its
   * publish to its arrival on the dispatch thread. Measured with this process's clock only, for
   * this process's own publishes (the envelope carries no publish time, SPEC §1.4), only while the
   * bus has subscriptions (a publish-only process dispatches nothing), only for timed publishes
   * ({@link #published}), and for at most one publish per {@link
   * org.messagebus.MessageBus.Builder#dispatchLagSampleInterval sample interval} (1 ms by default:
   * every publish below 1,000 a second).
   *
   * @param nanos the lag, in nanoseconds
   */
  default void dispatchLag(long nanos) {}

  /** A subscriber's listener threw on a message. */
  default void listenerFailed() {}

  /**
   * A backend subscription read messages from the store's backlog rather than from live
   * notifications: its replay from a position, or the catch-up after a lost connection or a missed
   * notification (Redis, PostgreSQL). Told only when it read at least one message.
   *
   * @param messages how many messages it delivered from the backlog
   */
  default void backendCatchUp(int messages) {}

  /**
   * A publish queued in memory (Redis refusing writes) was dropped: the store rejected it for good
   * when the queue was written.
   */
  default void publishDropped() {}

  /**
   * The PostgreSQL backend read a message from its row because it was too large to be announced
   * with its payload.
   */
  default void largePayloadFetched() {}

  /**
   * A {@link org.messagebus.cache.DistributedCache} was read.
   *
   * @param hit whether the key was present
   */
  default void cacheRead(boolean hit) {}

  /**
   * A {@link org.messagebus.cache.DistributedCache} applied a change published by another process
   * (a set, delete or clear that invalidates what this process held).
   */
  default void cacheRemoteChange() {}
}
