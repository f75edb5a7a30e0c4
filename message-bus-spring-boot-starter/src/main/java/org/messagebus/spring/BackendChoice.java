// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.util.ClassUtils;

/**
 * The backends {@code message-bus.backend} can name, the artifact each needs and whether it is on
 * the class path; builds the failure when the named backend cannot be created.
 */
final class BackendChoice {

  /** Backend name → {artifact, backend class}; memory is in core. */
  private static final Map<String, String[]> BACKENDS = new LinkedHashMap<>();

  static {
    BACKENDS.put(
        MessageBusProperties.MEMORY_BACKEND,
        new String[] {"org.messagebus:message-bus-core", "org.messagebus.memory.MemoryBackend"});
    BACKENDS.put(
        MessageBusProperties.REDIS_BACKEND,
        new String[] {"org.messagebus:message-bus-redis", "org.messagebus.redis.RedisBackend"});
    BACKENDS.put(
        MessageBusProperties.POSTGRES_BACKEND,
        new String[] {
          "org.messagebus:message-bus-postgres", "org.messagebus.postgres.PostgresBackend"
        });
  }

  private BackendChoice() {}

  /**
   * The failure for a {@code message-bus.backend} value for which no backend bean exists: an
   * unknown name, or a known one whose module is missing from the class path.
   */
  static InvalidMessageBusPropertyException notAvailable(
      String name, @Nullable ClassLoader loader) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    String[] known = BACKENDS.get(key);
    String reason;
    StringBuilder action = new StringBuilder();
    if (known != null && !ClassUtils.isPresent(known[1], loader)) {
      reason =
          "the "
              + key
              + " backend needs "
              + known[0]
              + ", which is not on the class path (no Backend bean was created)";
      action
          .append("Add the dependency ")
          .append(known[0])
          .append(" (version from org.messagebus:message-bus-bom), or ");
    } else if (known != null) {
      reason = "no Backend bean was created for it (its configuration did not apply)";
      action.append("Define a bean of type org.messagebus.spi.Backend, or ");
    } else {
      reason = "'" + name + "' is not a MessageBus backend";
      action.append("Define a bean of type org.messagebus.spi.Backend for your own store, or ");
    }
    action.append("set message-bus.backend to one of:\n");
    BACKENDS.forEach(
        (n, b) ->
            action
                .append(String.format("    %-9s", n))
                .append(
                    n.equals(MessageBusProperties.MEMORY_BACKEND)
                        ? "built in (one process only)"
                        : "needs " + b[0])
                .append(ClassUtils.isPresent(b[1], loader) ? " (present)" : " (missing)")
                .append('\n'));
    return new InvalidMessageBusPropertyException(
        "message-bus.backend", name, reason, action.toString().stripTrailing(), null);
  }
}
