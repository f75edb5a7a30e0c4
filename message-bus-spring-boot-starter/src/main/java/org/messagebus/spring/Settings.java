// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.jspecify.annotations.Nullable;

/**
 * Applies one property to a builder and names the property when the builder rejects the value, so a
 * bad {@code application.properties} entry fails the start-up with a message that says which entry
 * is wrong ({@link InvalidMessageBusPropertyException}). Credentials in the builder's message (a
 * rejected URL it quotes) are hidden ({@link Redaction}).
 */
final class Settings {

  private Settings() {}

  static void apply(String property, @Nullable Object value, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException | NullPointerException e) {
      String message = e.getMessage() == null ? "no value" : e.getMessage();
      String reason = Redaction.text(message);
      // A message that quoted credentials is not passed on as the cause either.
      throw new InvalidMessageBusPropertyException(
          property, value, reason, reason.equals(message) ? e : null);
    }
  }
}
