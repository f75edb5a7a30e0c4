// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

/**
 * Thrown when a backend cannot do what was asked: the store is unreachable, refused a write, or
 * answered something the bus cannot read. The cause carries the driver's exception.
 */
public class BackendException extends MessageBusException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param cause the driver's exception, may be null
   */
  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates the exception without a cause.
   *
   * @param message what failed
   */
  public BackendException(String message) {
    super(message);
  }
}
