// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.observe;

/** How a {@link org.messagebus.MessageBus#publish publish} ended, for {@link BusObserver}. */
public enum PublishOutcome {

  /** The backend stored the message and returned its id. */
  OK,

  /**
   * The backend queued the message in memory to write it later (Redis refusing writes); publish
   * returned {@link org.messagebus.MessageBus#NO_ID}.
   */
  QUEUED,

  /** The backend threw (store unreachable, queue full, bus closed). */
  FAILED,

  /**
   * Publishing is {@linkplain org.messagebus.MessageBus#off(boolean) turned off}: nothing stored.
   */
  DISABLED
}
