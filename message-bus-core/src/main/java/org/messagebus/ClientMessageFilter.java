// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

/**
 * Decides whether a web client may receive a message, beyond its user, group and client targeting
 * (SPEC §2.7). Registered for a channel prefix with {@link MessageBus#registerClientMessageFilter}.
 * Must be thread-safe and quick.
 */
@FunctionalInterface
public interface ClientMessageFilter {

  /**
   * Tells whether the message may be delivered.
   *
   * @param message the decoded message
   * @return false to withhold it
   */
  boolean allow(Message message);
}
