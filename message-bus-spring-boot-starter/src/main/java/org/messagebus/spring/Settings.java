package org.messagebus.spring;

/**
 * Applies one property to a builder and names the property when the builder rejects the value, so a
 * bad {@code application.properties} entry fails the start-up with a message that says which entry
 * is wrong ({@link InvalidMessageBusPropertyException}).
 */
final class Settings {

  private Settings() {}

  static void apply(String property, Object value, Runnable setter) {
    try {
      setter.run();
    } catch (IllegalArgumentException | NullPointerException e) {
      String reason = e.getMessage() == null ? "no value" : e.getMessage();
      throw new InvalidMessageBusPropertyException(property, value, reason, e);
    }
  }
}
