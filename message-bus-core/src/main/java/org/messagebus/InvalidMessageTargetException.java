// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

/**
 * Thrown when a target list ({@code userIds}, {@code groupIds} or {@code clientIds}) is empty: an
 * empty list would mean "nobody", which is never what the caller wants (Ruby: {@code
 * InvalidMessageTarget}, since 3.3.2).
 */
public class InvalidMessageTargetException extends InvalidMessageException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which target list is empty
   */
  public InvalidMessageTargetException(String message) {
    super(message);
  }
}
