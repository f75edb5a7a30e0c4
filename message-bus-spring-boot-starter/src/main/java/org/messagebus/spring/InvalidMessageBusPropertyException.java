package org.messagebus.spring;

/**
 * A {@code message-bus.*} property whose value the bus, a backend or the HTTP endpoint rejects. It
 * names the property, the value (passwords redacted) and the reason; Spring Boot prints them with
 * the fix as "APPLICATION FAILED TO START".
 */
public class InvalidMessageBusPropertyException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String property;
  private final transient Object value;
  private final String reason;

  /**
   * Creates the exception.
   *
   * @param property the full property name, e.g. {@code message-bus.retention.max-backlog-size}
   * @param value the rejected value as bound (redacted if secret)
   * @param reason why the value is rejected
   * @param cause the builder's exception, or null
   */
  public InvalidMessageBusPropertyException(
      String property, Object value, String reason, Throwable cause) {
    super("invalid " + property + " (" + value + "): " + reason, cause);
    this.property = property;
    this.value = value;
    this.reason = reason;
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
  public Object value() {
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
}
