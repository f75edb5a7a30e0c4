// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import org.messagebus.MessageBus;
import org.messagebus.spi.Retention;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code message-bus.*} configuration properties, bound through the constructor: one record per
 * group ({@link RetentionProperties retention}, {@link MemoryBackendProperties memory}, {@link
 * RedisBackendProperties redis}, {@link PostgresBackendProperties postgres}, {@link
 * CacheManagerProperties cache}, {@link HttpEndpointProperties http}, {@link WebSocketProperties
 * websocket}, {@link MessageBusSecurityProperties security}, {@link MetricsProperties metrics}).
 * Each default equals the default of the builder option it maps to; a value that builder rejects
 * fails the start-up with a message naming the property ({@link
 * InvalidMessageBusPropertyException}).
 *
 * @param enabled Whether to auto-configure the bus, the cache manager and the HTTP endpoint at all.
 * @param backend Which backend to create when the application defines no Backend bean: "memory"
 *     (built in), "redis" (with message-bus-redis) or "postgres" (with message-bus-postgres).
 * @param keepaliveInterval How often the bus publishes a keepalive and checks that messages still
 *     arrive; 0 disables the keepalive.
 * @param retention Retention of every backend.
 * @param memory Options of the memory backend.
 * @param redis Options of the Redis backend (message-bus.backend=redis, with message-bus-redis).
 * @param postgres Options of the PostgreSQL backend (message-bus.backend=postgres, with
 *     message-bus-postgres).
 * @param cache The distributed cache manager.
 * @param http The HTTP endpoint (servlet web applications with message-bus-servlet).
 * @param websocket The opt-in WebSocket endpoint beside the HTTP endpoint.
 * @param security How the HTTP endpoint works with the application's security.
 * @param metrics The Micrometer meters (with Actuator and message-bus-micrometer).
 */
@ConfigurationProperties("message-bus")
public record MessageBusProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue(MEMORY_BACKEND) String backend,
    @DefaultValue("60s") Duration keepaliveInterval,
    @DefaultValue @NestedConfigurationProperty RetentionProperties retention,
    @DefaultValue @NestedConfigurationProperty MemoryBackendProperties memory,
    @DefaultValue @NestedConfigurationProperty RedisBackendProperties redis,
    @DefaultValue @NestedConfigurationProperty PostgresBackendProperties postgres,
    @DefaultValue @NestedConfigurationProperty CacheManagerProperties cache,
    @DefaultValue @NestedConfigurationProperty HttpEndpointProperties http,
    @DefaultValue @NestedConfigurationProperty WebSocketProperties websocket,
    @DefaultValue @NestedConfigurationProperty MessageBusSecurityProperties security,
    @DefaultValue @NestedConfigurationProperty MetricsProperties metrics) {

  /** The backend name that selects the in-process memory backend (the default). */
  public static final String MEMORY_BACKEND = "memory";

  /** The backend name that selects the Redis backend ({@code message-bus-redis}). */
  public static final String REDIS_BACKEND = "redis";

  /** The backend name that selects the PostgreSQL backend ({@code message-bus-postgres}). */
  public static final String POSTGRES_BACKEND = "postgres";

  /**
   * Returns the properties as they are bound when none is set: every default. Each equals the
   * default of the builder option it maps to ({@link MessageBus#DEFAULT_KEEPALIVE_INTERVAL}, {@link
   * Retention#DEFAULTS}, …).
   *
   * @return the defaults
   */
  public static MessageBusProperties defaults() {
    return new Binder().bindOrCreate("message-bus", MessageBusProperties.class);
  }

  /**
   * Builds the {@link Retention} of {@code message-bus.retention.*}.
   *
   * @return the retention
   * @throws InvalidMessageBusPropertyException naming the property whose value is rejected
   */
  public Retention toRetention() {
    return retention.toRetention();
  }
}
