// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import org.jspecify.annotations.Nullable;

/**
 * The handle of a server-side subscription, returned by {@link MessageBus#subscribe} and its
 * variants. Thread-safe.
 */
public interface Subscription extends AutoCloseable {

  /**
   * Returns the channel subscribed to.
   *
   * @return the plain channel, or null for a subscription to every channel
   */
  @Nullable String channel();

  /**
   * Returns the site this subscription is limited to ({@linkplain MessageBus#localSubscribe local
   * subscriptions}).
   *
   * @return the site id, or null when messages of every site are received
   */
  @Nullable String siteId();

  /**
   * Tells whether messages are delivered: false once unsubscribed, and for a subscription made
   * while the bus was {@linkplain MessageBus#off() off}, which registers nothing.
   *
   * @return true while active
   */
  boolean isActive();

  /** Stops delivery to this subscription. Idempotent; other subscriptions are not affected. */
  void unsubscribe();

  /** Same as {@link #unsubscribe()}. */
  @Override
  default void close() {
    unsubscribe();
  }
}
