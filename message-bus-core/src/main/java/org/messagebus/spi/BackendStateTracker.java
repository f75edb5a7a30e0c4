// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendState;
import org.messagebus.BackendStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Derives a backend's {@link BackendState} from what its connections report, for a backend that
 * implements {@link Backend#stateListener}.
 *
 * <p>A backend has one or more <em>links</em>, each named by the backend (its command connection, a
 * LISTEN connection, one pub/sub connection per subscription), and reports for each {@link
 * #up(String)} (connected, or the store answered) or {@link #down(String, Throwable)} (a connection
 * was lost or refused, or the store did not answer). The state is {@link BackendState#DISCONNECTED}
 * while any link is down, {@link BackendState#CONNECTED} once a link reported up and none is down,
 * and {@link BackendState#UNKNOWN} before any report.
 *
 * <p>Thread-safe. Changes are told to the listener in order, one at a time, on the reporting
 * thread, while this tracker's monitor is held; {@link #up(String)} costs one volatile read when
 * nothing changes, so a backend may call it after every successful command.
 */
public final class BackendStateTracker {

  private static final Logger LOG = LoggerFactory.getLogger(BackendStateTracker.class);

  // guarded by this
  private final Map<String, Throwable> down = new LinkedHashMap<>();
  private boolean anyUp;
  private @Nullable BackendStateListener listener;

  private volatile BackendState state = BackendState.UNKNOWN;
  private volatile @Nullable Throwable cause;

  /** Creates a tracker in state {@link BackendState#UNKNOWN}. */
  public BackendStateTracker() {}

  /**
   * Sets the listener (replacing any earlier one) and tells it the current state at once.
   *
   * @param listener the listener, or null for none
   */
  public synchronized void listener(BackendStateListener listener) {
    this.listener = listener;
    tell(state, cause);
  }

  /**
   * Returns the current state.
   *
   * @return the state
   */
  public BackendState state() {
    return state;
  }

  /**
   * Returns the failure of the link that went down last while the state is {@link
   * BackendState#DISCONNECTED}.
   *
   * @return the cause, or null
   */
  public @Nullable Throwable cause() {
    return cause;
  }

  /**
   * Reports that a link is connected, or that the store answered on it.
   *
   * @param link the link's name
   */
  public void up(String link) {
    if (state == BackendState.CONNECTED) {
      return; // no link is down, so this changes nothing
    }
    synchronized (this) {
      anyUp = true;
      down.remove(link);
      update();
    }
  }

  /**
   * Reports that a link lost or could not open its connection, or that the store did not answer on
   * it.
   *
   * @param link the link's name
   * @param cause what failed; its message must not contain a password
   */
  public synchronized void down(String link, Throwable cause) {
    Objects.requireNonNull(link, "link");
    down.remove(link); // keep the newest failure last
    down.put(link, cause);
    update();
  }

  /**
   * Forgets a link that is gone for good (a subscription closed), whatever it reported.
   *
   * @param link the link's name
   */
  public synchronized void forget(String link) {
    if (down.remove(link) != null) {
      update();
    }
  }

  // caller holds the monitor
  private void update() {
    BackendState next;
    Throwable why = null;
    if (!down.isEmpty()) {
      next = BackendState.DISCONNECTED;
      for (Throwable t : down.values()) {
        why = t; // the newest
      }
    } else {
      next = anyUp ? BackendState.CONNECTED : BackendState.UNKNOWN;
    }
    if (next == state && (next != BackendState.DISCONNECTED || why == cause)) {
      return;
    }
    boolean changed = next != state;
    cause = why;
    state = next;
    if (changed) {
      tell(next, why);
    }
  }

  // caller holds the monitor
  private void tell(BackendState s, @Nullable Throwable why) {

    if (listener == null) {
      return;
    }
    try {
      listener.onBackendStateChange(s, why);
    } catch (RuntimeException e) {
      LOG.warn("backend state listener failed", e);
    }
  }
}
