// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

/**
 * The handle of one listener's subscription, returned by {@link MessageBusClient#subscribe}.
 *
 * @param client the client
 * @param channel the channel
 * @param listener the listener
 */
public record ClientSubscription(MessageBusClient client, String channel, ClientListener listener)
    implements AutoCloseable {

  /** Removes this listener (and the channel, if it was the last). */
  public void unsubscribe() {
    client.unsubscribe(channel, listener);
  }

  /** Same as {@link #unsubscribe()}. */
  @Override
  public void close() {
    unsubscribe();
  }
}
