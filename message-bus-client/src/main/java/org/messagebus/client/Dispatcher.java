// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands received batches to the listeners: applies each to the {@link ChannelTable} and runs every
 * delivery on the callback executor, each listener call in its own try/catch.
 *
 * <p>Batches are applied and queued one at a time (a lock held across both, never across a listener
 * call unless the executor runs tasks on the caller's thread), so the executor receives each
 * channel's messages in id order even when a batch of a cancelled poll races one of the next poll.
 */
final class Dispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusClient.class);

  private final ChannelTable table;
  private final Executor callbacks;
  private final ClientErrorListener errorListener;
  private final ReentrantLock order = new ReentrantLock();

  /**
   * Creates a dispatcher.
   *
   * @param table the subscriptions
   * @param callbacks where listeners run
   * @param errorListener told about failing listeners
   */
  Dispatcher(ChannelTable table, Executor callbacks, ClientErrorListener errorListener) {
    this.table = table;
    this.callbacks = callbacks;
    this.errorListener = errorListener;
  }

  /**
   * Delivers a batch received by a poll of the given generation.
   *
   * @param messages the batch
   * @param pollGeneration the poll's generation (see {@link ChannelTable})
   */
  void deliver(List<ClientMessage> messages, long pollGeneration) {
    order.lock();
    try {
      for (ChannelTable.Delivery d : table.apply(messages, pollGeneration)) {
        callbacks.execute(() -> invoke(d.listener(), d.message()));
      }
    } finally {
      order.unlock();
    }
  }

  private void invoke(ClientListener listener, ClientMessage message) {
    try {
      listener.onMessage(message);
    } catch (RuntimeException e) {
      LOG.warn("listener failed on {} message {}", message.channel(), message.messageId(), e);
      try {
        errorListener.onListenerFailed(message, e);
      } catch (RuntimeException listenerFailure) {
        LOG.warn("error listener failed", listenerFailure);
      }
    }
  }
}
