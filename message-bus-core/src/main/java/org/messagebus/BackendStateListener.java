// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import org.jspecify.annotations.Nullable;

/**
 * Hears every change of a backend's {@link BackendState}, in the order they happen.
 *
 * <p>Called on the thread that noticed the change (a backend's I/O or subscriber thread, or a
 * thread that used the store), never by two threads at once, and while the change is being
 * reported: an implementation must return quickly and must not block or use the bus or its backend
 * (record the state, update a gauge, log a line; hand anything longer to an executor). What it
 * throws is logged and ignored.
 */
@FunctionalInterface
public interface BackendStateListener {

  /**
   * Handles one change.
   *
   * @param state the new state
   * @param cause for {@link BackendState#DISCONNECTED}, the failure that revealed it (its message
   *     never contains a password), or null when the backend does not know; null for the other
   *     states
   */
  void onBackendStateChange(BackendState state, @Nullable Throwable cause);
}
