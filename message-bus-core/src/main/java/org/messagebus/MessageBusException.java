// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

/**
 * The root of every unchecked exception the bus throws for a runtime fault (as opposed to misuse,
 * which is reported with {@link IllegalArgumentException} and its subclasses).
 */
public class MessageBusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong
   */
  public MessageBusException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong
   * @param cause the underlying failure
   */
  public MessageBusException(String message, Throwable cause) {
    super(message, cause);
  }
}
