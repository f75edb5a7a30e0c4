// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

/**
 * Thrown by every publish, read and subscribe of a bus once it has been {@linkplain
 * MessageBus#close() closed} (Ruby: {@code BusDestroyed}), and by a closed {@linkplain
 * org.messagebus.spi.Backend backend} until it is reconnected.
 */
public class BusClosedException extends MessageBusException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was attempted
   */
  public BusClosedException(String message) {
    super(message);
  }
}
