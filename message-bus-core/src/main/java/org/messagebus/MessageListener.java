// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

/**
 * Receives the messages of a server-side subscription.
 *
 * <p>Called on the bus's dispatch thread, one message at a time, in order; keep it quick or hand
 * the work to an executor, since a slow listener delays every other subscription. An exception
 * thrown here is logged, passed to the {@link ErrorListener}, and does not stop delivery to this or
 * any other listener.
 */
@FunctionalInterface
public interface MessageListener {

  /**
   * Handles one message.
   *
   * @param message the decoded message, never null
   */
  void onMessage(Message message);
}
