// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

/**
 * Receives the messages of one channel subscription, on the client's callback executor, in order
 * when that executor runs one task at a time (the default does).
 */
@FunctionalInterface
public interface ClientListener {

  /**
   * Handles one message. What this throws is logged and reported to the {@link
   * ClientErrorListener}; polling goes on.
   *
   * @param message the message
   */
  void onMessage(ClientMessage message);
}
