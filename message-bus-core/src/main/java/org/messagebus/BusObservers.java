// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.List;
import org.messagebus.observe.BusObserver;
import org.messagebus.observe.ObserverRegistration;
import org.messagebus.observe.PublishOutcome;
import org.messagebus.spi.Backend;
import org.messagebus.spi.ObserverList;
import org.messagebus.spi.PreparedPublish;

/**
 * The observers of one bus ({@link MessageBus#observe}), and the event sites that need more than a
 * call: the publish timer and the dispatch lag.
 *
 * <p><b>Cost when unused.</b> {@link #current} is {@link BusObserver#NOOP} until an observer is
 * added; each event site reads it once and returns when it is NOOP, so an unobserved bus does what
 * it did before plus one volatile read per publish and per dispatched message.
 *
 * <p><b>Threads.</b> The list is an {@link ObserverList}: adding and removing are rare and copy it;
 * {@link #current} is then replaced by one volatile write (a {@link Guarded} or a {@link Fanout} of
 * them), which event sites read without a lock. Each observer call is isolated: what it throws is
 * logged at WARN once per observer.
 */
final class BusObservers {

  private final ObserverList<BusObserver> observers =
      new ObserverList<>(BusObserver.NOOP, "bus observer", Guarded::new, Fanout::new);
  private final DispatchLag lag;
  private final PublishTiming timing;
  private final BusObserver forwarder = new Forwarder();

  /**
   * @param lagSampleIntervalNanos at most one own publish per this many nanoseconds has its
   *     dispatch lag measured; 0 measures every one
   * @param timingSampleIntervalNanos about one publish per this many nanoseconds is timed when they
   *     come faster ({@link PublishTiming}); 0 times every one
   */
  BusObservers(long lagSampleIntervalNanos, long timingSampleIntervalNanos) {
    this.lag = new DispatchLag(lagSampleIntervalNanos);
    this.timing = new PublishTiming(timingSampleIntervalNanos);
  }

  BusObserver current() {
    return observers.current();
  }

  /**
   * The observer a backend reports to ({@link Backend#observer}): it forwards each call to the
   * observers of the moment, so it may be kept.
   */
  BusObserver forwarder() {
    return forwarder;
  }

  ObserverRegistration add(BusObserver observer) {
    return observers.add(observer);
  }

  /**
   * Publishes through the backend, counting it when observed and timing the publishes {@link
   * PublishTiming} chooses. The dispatch lag is tracked only for timed publishes, only while the
   * dispatcher has subscriptions (only then does this process's firehose bring the message back),
   * and for at most one publish per sample interval ({@link DispatchLag#sample}).
   */
  long publish(Backend backend, PreparedPublish p, Dispatcher dispatcher) {
    BusObserver o = observers.current();
    if (o == BusObserver.NOOP) {
      return backend.publish(p.channel(), p.payload(), p.options());
    }
    if (timing.shouldTime()) {
      return publishTimed(o, backend, p, dispatcher);
    }
    long id;
    try {
      id = backend.publish(p.channel(), p.payload(), p.options());
    } catch (RuntimeException e) {
      o.published(PublishOutcome.FAILED, BusObserver.UNTIMED);
      throw e;
    }
    o.published(
        id == Backend.QUEUED ? PublishOutcome.QUEUED : PublishOutcome.OK, BusObserver.UNTIMED);
    return id;
  }

  /**
   * A timed publish, with its dispatch lag if sampled: apart from {@link #publish}, so that the
   * common paths stay small enough for the JIT to inline.
   */
  private long publishTimed(
      BusObserver o, Backend backend, PreparedPublish p, Dispatcher dispatcher) {
    long start = System.nanoTime();
    timing.timed(start);
    boolean track = dispatcher.hasSubscriptions() && lag.sample(start);
    if (track) {
      lag.beforePublish();
    }
    long id = Backend.QUEUED;
    try {
      id = backend.publish(p.channel(), p.payload(), p.options());
      o.published(
          id == Backend.QUEUED ? PublishOutcome.QUEUED : PublishOutcome.OK,
          System.nanoTime() - start);
      return id;
    } catch (RuntimeException e) {
      o.published(PublishOutcome.FAILED, System.nanoTime() - start);
      throw e;
    } finally {
      if (track) {
        lag.afterPublish(p.channel(), id, start, o);
      }
    }
  }

  /** A publish that the bus refused because publishing is turned off. */
  void publishDisabled() {
    BusObserver o = observers.current();
    if (o != BusObserver.NOOP) {
      o.published(PublishOutcome.DISABLED, 0);
    }
  }

  /** The dispatch thread received a message (stored channel and message id). */
  void dispatched(String channel, long messageId) {
    BusObserver o = observers.current();
    if (o == BusObserver.NOOP) {
      return;
    }
    o.dispatched();
    lag.onDispatch(channel, messageId, o);
  }

  void listenerFailed() {
    observers.current().listenerFailed();
  }

  /**
   * Calls one observer, each call isolated; logs the first failure at WARN, later ones at DEBUG.
   */
  private static final class Guarded implements BusObserver {
    private final BusObserver target;
    private final ObserverList.Failures failures;

    Guarded(BusObserver target, ObserverList.Failures failures) {
      this.target = target;
      this.failures = failures;
    }

    @Override
    public void published(PublishOutcome outcome, long nanos) {
      try {
        target.published(outcome, nanos);
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void dispatched() {
      try {
        target.dispatched();
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void dispatchLag(long nanos) {
      try {
        target.dispatchLag(nanos);
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void listenerFailed() {
      try {
        target.listenerFailed();
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void cacheRead(boolean hit) {
      try {
        target.cacheRead(hit);
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void cacheRemoteChange() {
      try {
        target.cacheRemoteChange();
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void backendCatchUp(int messages) {
      try {
        target.backendCatchUp(messages);
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void publishDropped() {
      try {
        target.publishDropped();
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public void largePayloadFetched() {
      try {
        target.largePayloadFetched();
      } catch (RuntimeException e) {
        failures.failed(e);
      }
    }

    @Override
    public String toString() {
      return target.toString();
    }
  }

  /** Several observers, in the order they were added (each one a {@link Guarded}). */
  private static final class Fanout implements BusObserver {
    private final List<BusObserver> targets;

    Fanout(List<BusObserver> targets) {
      this.targets = targets;
    }

    @Override
    public void published(PublishOutcome outcome, long nanos) {
      for (BusObserver t : targets) {
        t.published(outcome, nanos);
      }
    }

    @Override
    public void dispatched() {
      for (BusObserver t : targets) {
        t.dispatched();
      }
    }

    @Override
    public void dispatchLag(long nanos) {
      for (BusObserver t : targets) {
        t.dispatchLag(nanos);
      }
    }

    @Override
    public void listenerFailed() {
      for (BusObserver t : targets) {
        t.listenerFailed();
      }
    }

    @Override
    public void cacheRead(boolean hit) {
      for (BusObserver t : targets) {
        t.cacheRead(hit);
      }
    }

    @Override
    public void cacheRemoteChange() {
      for (BusObserver t : targets) {
        t.cacheRemoteChange();
      }
    }

    @Override
    public void backendCatchUp(int messages) {
      for (BusObserver t : targets) {
        t.backendCatchUp(messages);
      }
    }

    @Override
    public void publishDropped() {
      for (BusObserver t : targets) {
        t.publishDropped();
      }
    }

    @Override
    public void largePayloadFetched() {
      for (BusObserver t : targets) {
        t.largePayloadFetched();
      }
    }
  }

  /** Forwards each call to the current observer (for backends, which keep what they are given). */
  private final class Forwarder implements BusObserver {

    @Override
    public void published(PublishOutcome outcome, long nanos) {
      observers.current().published(outcome, nanos);
    }

    @Override
    public void dispatched() {
      observers.current().dispatched();
    }

    @Override
    public void dispatchLag(long nanos) {
      observers.current().dispatchLag(nanos);
    }

    @Override
    public void listenerFailed() {
      observers.current().listenerFailed();
    }

    @Override
    public void cacheRead(boolean hit) {
      observers.current().cacheRead(hit);
    }

    @Override
    public void cacheRemoteChange() {
      observers.current().cacheRemoteChange();
    }

    @Override
    public void backendCatchUp(int messages) {
      observers.current().backendCatchUp(messages);
    }

    @Override
    public void publishDropped() {
      observers.current().publishDropped();
    }

    @Override
    public void largePayloadFetched() {
      observers.current().largePayloadFetched();
    }
  }
}
