// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.time.Duration;

/**
 * Hears about failed polls and failing listeners. Methods have no-op defaults; every failure is
 * also logged. Called on the polling thread or the callback executor; must not block.
 */
public interface ClientErrorListener {

  /** A listener that does nothing. */
  ClientErrorListener NONE = new ClientErrorListener() {};

  /**
   * A poll failed (connection error, unexpected status, unreadable reply); the client waits and
   * polls again.
   *
   * @param error what failed
   * @param consecutiveFailures failures in a row, this one included
   * @param retryIn how long the client waits before the next poll
   */
  default void onPollFailed(Throwable error, int consecutiveFailures, Duration retryIn) {}

  /**
   * A {@link ClientListener} threw.
   *
   * @param message the message being delivered
   * @param error what it threw
   */
  default void onListenerFailed(ClientMessage message, Throwable error) {}
}
