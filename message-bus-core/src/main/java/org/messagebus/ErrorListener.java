// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.time.Duration;

/**
 * Hears about failures that happen away from the caller's thread. Every method has a no-op default;
 * the bus also logs each failure through SLF4J. Implementations must be thread-safe and must not
 * throw (what they throw is logged and ignored).
 */
public interface ErrorListener {

  /** A listener that does nothing (the failures are still logged). */
  ErrorListener NONE = new ErrorListener() {};

  /**
   * A subscriber's {@link MessageListener} threw; delivery to it and to others goes on.
   *
   * @param subscription the subscription whose listener failed
   * @param message the message being delivered
   * @param error what the listener threw
   */
  default void onListenerError(Subscription subscription, Message message, Throwable error) {}

  /**
   * A message from the backend could not be decoded and was skipped, or another background failure
   * happened (a keepalive publish failed).
   *
   * @param error the failure
   */
  default void onBackgroundError(Throwable error) {}

  /**
   * The bus has received no message at all, not even its own keepalive, for more than three
   * keepalive intervals: the backend subscription is probably broken.
   *
   * @param silence how long nothing was received
   */
  default void onKeepaliveMissed(Duration silence) {}
}
