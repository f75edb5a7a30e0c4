// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

/**
 * Receives the messages of a backend subscription, one at a time, in the order the backend delivers
 * them (ascending global id, except across a store reset).
 *
 * <p>Called on a thread owned by the backend; an implementation should return quickly. An exception
 * thrown here is logged by the backend and does not end the subscription.
 */
@FunctionalInterface
public interface BackendListener {

  /**
   * Handles one message.
   *
   * @param message the raw message, never null
   */
  void onMessage(BackendMessage message);
}
