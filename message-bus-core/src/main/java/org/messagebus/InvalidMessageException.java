// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

/**
 * Thrown by {@link MessageBus#publish} for a message that cannot be published as asked, for example
 * user or group targeting on a {@code /global/} channel (Ruby: {@code InvalidMessage}). It is an
 * {@link IllegalArgumentException}: the caller's input is wrong.
 */
public class InvalidMessageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong with the message, naming the argument
   */
  public InvalidMessageException(String message) {
    super(message);
  }
}
