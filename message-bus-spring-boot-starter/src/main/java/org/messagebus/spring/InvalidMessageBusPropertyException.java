// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.jspecify.annotations.Nullable;

/**
 * A {@code message-bus.*} property whose value the bus, a backend or the HTTP endpoint rejects. It
 * names the property, the value (passwords redacted) and the reason; Spring Boot prints them with
 * the fix as "APPLICATION FAILED TO START" ({@link MessageBusFailureAnalyzer}).
 */
public class InvalidMessageBusPropertyException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String property;
  private final transient @Nullable Object value;
  private final String reason;
  private final @Nullable String action;

  /**
   * Creates the exception for a value a builder rejects; the fix is to change the value.
   *
   * @param property the full property name, e.g. {@code message-bus.retention.max-backlog-size}
   * @param value the rejected value as bound (redacted if secret)
   * @param reason why the value is rejected
   * @param cause the builder's exception, or null
   */
  public InvalidMessageBusPropertyException(
      String property, @Nullable Object value, String reason, @Nullable Throwable cause) {
    this(property, value, reason, null, cause);
  }

  /**
   * Creates the exception with the fix spelled out.
   *
   * @param property the full property name
   * @param value the rejected value as bound (redacted if secret)
   * @param reason why the value is rejected
   * @param action what to do, or null for the generic advice to change the value
   * @param cause the underlying exception, or null
   */
  public InvalidMessageBusPropertyException(
      String property,
      @Nullable Object value,
      String reason,
      @Nullable String action,
      @Nullable Throwable cause) {
    super("invalid " + property + " (" + value + "): " + reason, cause);
    this.property = property;
    this.value = value;
    this.reason = reason;
    this.action = action;
  }

  /**
   * Returns the property name.
   *
   * @return e.g. {@code message-bus.retention.max-backlog-size}
   */
  public String property() {
    return property;
  }

  /**
   * Returns the rejected value.
   *
   * @return the value as bound, redacted if secret; may be null
   */
  public @Nullable Object value() {
    return value;
  }

  /**
   * Returns why the value is rejected.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }

  /**
   * Returns what to do about it, when it is more than changing the value.
   *
   * @return the fix, or null
   */
  public @Nullable String action() {
    return action;
  }
}
