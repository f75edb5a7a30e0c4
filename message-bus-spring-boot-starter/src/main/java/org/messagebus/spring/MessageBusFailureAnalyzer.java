// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.util.unit.DataSize;

/**
 * Turns an {@link InvalidMessageBusPropertyException}, however deep in the causes of a failed
 * start-up (a web server that could not start, a bean that could not be created), into Spring
 * Boot's "APPLICATION FAILED TO START" report: the property, the bad value and the reason, then the
 * fix (the exception's own, else to change the value or remove it for the default, which is named).
 * Registered in {@code META-INF/spring.factories}.
 *
 * <p>Values that cannot even be converted (e.g. {@code message-bus.keepalive-interval=soon}) are
 * reported by Spring Boot's own bind failure analyzer, which names the property and value too.
 */
public final class MessageBusFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidMessageBusPropertyException> {

  /** Creates the analyzer (called by Spring Boot). */
  public MessageBusFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable root, InvalidMessageBusPropertyException cause) {
    String description =
        "Invalid value for the property '"
            + cause.property()
            + "': "
            + (cause.value() == null ? "(not set)" : "'" + cause.value() + "'")
            + "\n\nReason: "
            + cause.reason();
    String action = cause.action();
    if (action == null) {
      String fallback = defaultOf(cause.property());
      action =
          "Change "
              + cause.property()
              + " in your application's configuration to a value that fits ("
              + cause.reason()
              + ")"
              + (fallback == null ? "." : ", or remove it to use the default (" + fallback + ").");
    }
    return new FailureAnalysis(description, action, cause);
  }

  /**
   * The default of a {@code message-bus.*} property, read from the record components of {@link
   * MessageBusProperties#defaults()}, written as in {@code application.properties}.
   *
   * @return the default, or null when there is none (or the name is not a property)
   */
  static @Nullable String defaultOf(String property) {
    if (!property.startsWith("message-bus.")) {
      return null;
    }
    Object node = MessageBusProperties.defaults();
    for (String segment : property.substring("message-bus.".length()).split("\\.", -1)) {
      if (node == null || !node.getClass().isRecord()) {
        return null;
      }
      Object next = null;
      boolean found = false;
      for (RecordComponent c : node.getClass().getRecordComponents()) {
        if (kebab(c.getName()).equals(segment)) {
          try {
            next = c.getAccessor().invoke(node);
          } catch (ReflectiveOperationException e) {
            return null;
          }
          found = true;
        }
      }
      if (!found) {
        return null;
      }
      node = next;
    }
    return node == null ? null : format(node);
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String format(Object value) {
    if (value instanceof Duration d) {
      long ms = d.toMillis();
      if (ms != 0 && ms % 86_400_000L == 0) {
        return ms / 86_400_000L + "d";
      }
      if (ms % 1000 == 0) {
        return ms / 1000 + "s";
      }
      return ms + "ms";
    }
    if (value instanceof DataSize s) {
      long b = s.toBytes();
      if (b != 0 && b % (1024 * 1024) == 0) {
        return b / (1024 * 1024) + "MB";
      }
      return b != 0 && b % 1024 == 0 ? b / 1024 + "KB" : b + "B";
    }
    String text = value.toString();
    return text.isEmpty() ? "empty" : text;
  }
}
