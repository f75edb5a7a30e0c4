// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the backend last reported about its store ({@link BackendState}), and the application's
 * listeners of it.
 *
 * <p><b>Threads.</b> The backend reports on its own threads, one change at a time and in order
 * ({@link #onBackendState}); the monitor {@code lock} makes a change and the telling of every
 * listener one step, so a listener added meanwhile is told the current state first and then every
 * later change, never one twice or out of order. Readers of {@link #state()} take no lock. When the
 * store is back ({@link BackendState#CONNECTED}) the bus is asked to catch up, outside the monitor.
 */
final class BackendStateWatch {

  private static final Logger LOG = LoggerFactory.getLogger(BackendStateWatch.class);

  private final Object lock = new Object();
  private final CopyOnWriteArrayList<BackendStateListener> listeners = new CopyOnWriteArrayList<>();
  private final Runnable onConnected;
  private volatile BackendState state = BackendState.CONNECTED;
  private volatile @Nullable Throwable failure;

  /**
   * @param onConnected run (on the reporting thread) every time the backend reports {@link
   *     BackendState#CONNECTED}: the bus catches up what an outage interrupted
   */
  BackendStateWatch(Runnable onConnected) {
    this.onConnected = onConnected;
  }

  BackendState state() {
    return state;
  }

  Optional<Throwable> failure() {
    return state == BackendState.DISCONNECTED ? Optional.ofNullable(failure) : Optional.empty();
  }

  void add(BackendStateListener listener) {
    synchronized (lock) {
      listeners.add(listener);
      tell(listener, state, failure);
    }
  }

  void remove(BackendStateListener listener) {
    synchronized (lock) {
      listeners.remove(listener);
    }
  }

  /** The backend's report; runs on the backend's thread, changes one at a time, in order. */
  void onBackendState(BackendState next, @Nullable Throwable cause) {

    BackendState before;
    synchronized (lock) {
      before = state;
      failure = next == BackendState.DISCONNECTED ? cause : null;
      state = next;
      for (BackendStateListener l : listeners) {
        tell(l, next, cause);
      }
    }
    if (next == BackendState.DISCONNECTED && before != BackendState.DISCONNECTED) {
      LOG.warn(
          "the backend cannot reach its store ({}); subscriptions made meanwhile catch up when it"
              + " is back",
          cause == null ? "no cause given" : cause.getMessage());
    } else if (next == BackendState.CONNECTED) {
      if (before == BackendState.DISCONNECTED) {
        LOG.info("the backend reaches its store again");
      }
      onConnected.run();
    }
  }

  private static void tell(BackendStateListener l, BackendState state, @Nullable Throwable cause) {

    try {
      l.onBackendStateChange(state, cause);
    } catch (RuntimeException e) {
      LOG.warn("backend state listener {} failed", l, e);
    }
  }
}
