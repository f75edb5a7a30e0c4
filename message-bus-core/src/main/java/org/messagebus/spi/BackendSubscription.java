// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

/**
 * A running backend subscription, returned by {@link Backend#globalSubscribe} and {@link
 * Backend#subscribe}. Thread-safe.
 */
public interface BackendSubscription extends AutoCloseable {

  /**
   * Tells whether the subscription is currently listening to the store (false while it reconnects
   * and after it was closed).
   *
   * @return true while live messages can arrive
   */
  boolean isSubscribed();

  /**
   * Tells whether the subscription was closed.
   *
   * @return true after {@link #close()}
   */
  boolean isClosed();

  /**
   * Stops the subscription: no message is delivered once this returns (except one whose delivery
   * had already begun on the backend's thread). Idempotent. Closing one subscription never stops
   * another, in this process or any other.
   */
  @Override
  void close();
}
