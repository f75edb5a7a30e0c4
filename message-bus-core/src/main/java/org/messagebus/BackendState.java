// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

/**
 * Whether a bus's backend can reach its store right now: the one signal that health checks and
 * metrics read ({@link MessageBus#backendState()}, {@link MessageBus#addBackendStateListener}).
 *
 * <p>The memory backend, and any backend that does not track its connections, is always {@link
 * #CONNECTED}. The Redis and PostgreSQL backends start {@link #UNKNOWN} (they connect on first use)
 * and report every change they notice: a connection lost or refused, a command that failed or timed
 * out for want of a connection ({@link #DISCONNECTED}), and a connection (re)established or a
 * command answered ({@link #CONNECTED}). A store that answers with an error of its own (a read-only
 * Redis replica, a constraint violation) is still connected.
 */
public enum BackendState {

  /** The backend has not tried to reach its store yet (it connects on first use). */
  UNKNOWN,

  /**
   * Every connection the backend holds is up, and the store answered the last time it was asked.
   */
  CONNECTED,

  /**
   * A connection to the store is down, or the store did not answer; the backend keeps trying on its
   * own. Reads fail with {@link BackendException} meanwhile; subscribing still works (see {@link
   * MessageBus}, "Outages").
   */
  DISCONNECTED
}
