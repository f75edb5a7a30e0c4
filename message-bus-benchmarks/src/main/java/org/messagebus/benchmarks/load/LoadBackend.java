// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.redis.RedisBackend;
import org.messagebus.spi.Backend;

/**
 * The backend a load server runs on, chosen by the system property {@code backend}:
 *
 * <ul>
 *   <li>{@code memory} (the default): the in-process memory backend;
 *   <li>{@code redis}, or a URI {@code redis://host:port/db}: Redis; plain {@code redis} means
 *       {@value #DEFAULT_REDIS} (database 12 is the load runs'). The database is <b>flushed</b>
 *       ({@code FLUSHDB}) when the server starts, unless {@code -DresetStore=false};
 *   <li>{@code postgres}, or a JDBC URL {@code jdbc:postgresql://...}: PostgreSQL; plain {@code
 *       postgres} means {@value #DEFAULT_POSTGRES}. The server uses the table {@code
 *       loadbench_message_bus} and the channel {@code _message_bus_loadbench}, so that it never
 *       touches the tests' table, and resets (drops and re-creates) that table when it starts,
 *       unless {@code -DresetStore=false}.
 * </ul>
 *
 * @param name {@code memory}, {@code redis} or {@code postgres}
 * @param backend the backend
 * @param redisUri the Redis URI, or null
 */
record LoadBackend(String name, Backend backend, @Nullable String redisUri) {

  /** The Redis a plain {@code backend=redis} means. */
  static final String DEFAULT_REDIS = "redis://127.0.0.1:6379/10";

  /** The PostgreSQL a plain {@code backend=postgres} means. */
  static final String DEFAULT_POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /**
   * Builds the backend a specification names, emptying its store first.
   *
   * @param spec {@code memory}, {@code redis}, {@code redis://...}, {@code postgres} or {@code
   *     jdbc:postgresql://...}
   * @return the backend
   * @throws IllegalArgumentException for any other specification
   */
  static LoadBackend create(String spec) {
    return create(spec, true);
  }

  /**
   * Builds the backend a specification names, emptying its store first if asked.
   *
   * @param spec as for {@link #create(String)}
   * @param reset false to leave the store as it is (scale-out: the second and later servers on one
   *     store must not flush what the first one already uses)
   * @return the backend
   * @throws IllegalArgumentException for an unknown specification
   */
  static LoadBackend create(String spec, boolean reset) {
    if (spec.equals("memory")) {
      return new LoadBackend("memory", MemoryBackend.create(), null);
    }
    if (spec.equals("redis") || spec.startsWith("redis://")) {
      String uri = spec.equals("redis") ? DEFAULT_REDIS : spec;
      if (reset) {
        flushRedis(uri);
      }
      return new LoadBackend("redis", RedisBackend.create(uri), uri);
    }
    if (spec.equals("postgres") || spec.startsWith("jdbc:postgresql:")) {
      PostgresBackend pg =
          PostgresBackend.builder()
              .jdbcUrl(spec.equals("postgres") ? DEFAULT_POSTGRES : spec)
              .tablePrefix("loadbench_")
              .notificationChannel("_message_bus_loadbench")
              .build();
      if (reset) {
        pg.reset();
      }
      return new LoadBackend("postgres", pg, null);
    }
    throw new IllegalArgumentException(
        "backend must be memory, redis, redis://..., postgres or jdbc:postgresql://..., not: "
            + spec);
  }

  private static void flushRedis(String uri) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().flushdb();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
