// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.messagebus.observe.ObserverRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observers of one component (the bus's {@code BusObserver}s, an HTTP engine's {@code
 * HttpObserver}s), for the components of this project: observers are added and removed at any time,
 * and event sites call {@link #current()}, one observer that stands for all of them.
 *
 * <p>{@link #current()} is the component's no-op observer until an observer is added, so that an
 * unobserved component pays one volatile read per event; with one observer it is that observer
 * wrapped by the component's guard; with several, the component's fan-out over the guarded ones, in
 * the order they were added. The guard isolates each call: what an observer throws goes to the
 * {@link Failures} the guard is given (the first failure at WARN, later ones at DEBUG), never to
 * the event site.
 *
 * <p>Thread-safe: adding and removing are rare and copy the list under a lock; {@link #current()}
 * is replaced by one volatile write and read without a lock.
 *
 * @param <T> the observer interface
 */
public final class ObserverList<T> {

  private static final Logger LOG = LoggerFactory.getLogger(ObserverList.class);

  private final T noop;
  private final String kind;
  private final BiFunction<T, Failures, T> guard;
  private final Function<List<T>, T> fanout;
  // guarded by itself
  private final List<T> all = new ArrayList<>();
  private volatile T current;

  /**
   * Creates an empty list.
   *
   * @param noop the observer that does nothing: {@link #current()} while the list is empty
   * @param kind what the observers are, for the log (e.g. {@code "bus observer"})
   * @param guard wraps one observer so that each call it forwards catches a {@link
   *     RuntimeException} and hands it to the given {@link Failures}
   * @param fanout one observer calling each of several guarded observers in order
   */
  public ObserverList(
      T noop, String kind, BiFunction<T, Failures, T> guard, Function<List<T>, T> fanout) {
    this.noop = Objects.requireNonNull(noop, "noop");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.guard = Objects.requireNonNull(guard, "guard");
    this.fanout = Objects.requireNonNull(fanout, "fanout");
    this.current = noop;
  }

  /**
   * Returns the observer that stands for every observer of the moment: the no-op observer when
   * there is none (event sites may compare with it to skip work).
   *
   * @return the current observer
   */
  public T current() {
    return current;
  }

  /**
   * Adds an observer, guarded. The same observer added twice is called twice.
   *
   * @param observer the observer
   * @return the handle that removes it (idempotent)
   * @throws NullPointerException if {@code observer} is null
   */
  public ObserverRegistration add(T observer) {
    Objects.requireNonNull(observer, "observer");
    T guarded = guard.apply(observer, new Failures(kind, observer));
    synchronized (all) {
      all.add(guarded);
      rebuild();
    }
    AtomicBoolean removed = new AtomicBoolean();
    return () -> {
      if (removed.compareAndSet(false, true)) {
        synchronized (all) {
          all.remove(guarded);
          rebuild();
        }
      }
    };
  }

  // caller holds the monitor of all
  private void rebuild() {
    current = all.isEmpty() ? noop : all.size() == 1 ? all.get(0) : fanout.apply(List.copyOf(all));
  }

  /**
   * The failures of one observer: the first is logged at WARN with its stack trace, later ones at
   * DEBUG, so that a broken observer neither floods the log nor goes unnoticed. Thread-safe.
   */
  public static final class Failures {
    private final String kind;
    private final Object observer;
    private final AtomicBoolean warned = new AtomicBoolean();

    Failures(String kind, Object observer) {
      this.kind = kind;
      this.observer = observer;
    }

    /**
     * Records that a call of the observer threw.
     *
     * @param e what it threw
     */
    public void failed(RuntimeException e) {
      if (warned.compareAndSet(false, true)) {
        LOG.warn("{} {} failed (further failures at DEBUG)", kind, observer, e);
      } else {
        LOG.debug("{} {} failed", kind, observer, e);
      }
    }
  }
}
