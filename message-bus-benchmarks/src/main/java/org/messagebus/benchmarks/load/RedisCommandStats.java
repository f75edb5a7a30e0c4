// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Redis command counts from {@code INFO commandstats}, read before and after the measured window so
 * that the difference is what the server (and anything else on that Redis) sent meanwhile. The
 * counts are server-wide: on a Redis that other programs use too, the difference is an upper bound;
 * run on a private Redis ({@code REDIS_PRIVATE=1} in {@code run-load.sh}) for exact figures. One
 * connection is held open across the window, so that only its {@code INFO} calls are its own, and
 * those are left out.
 */
final class RedisCommandStats implements AutoCloseable {

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;

  /**
   * Connects.
   *
   * @param uri the Redis URI
   */
  RedisCommandStats(String uri) {
    this.client = RedisClient.create(uri);
    try {
      this.connection = client.connect();
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw e;
    }
  }

  /**
   * Reads the command counts now.
   *
   * @return command name → calls
   */
  Map<String, Long> read() {
    return parse(connection.sync().info("commandstats"));
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  /**
   * Parses the text of {@code INFO commandstats}: lines {@code cmdstat_<name>:calls=<n>,...}.
   *
   * @param info the text
   * @return command name → calls, without {@code info}
   */
  static Map<String, Long> parse(String info) {
    Map<String, Long> calls = new TreeMap<>();
    for (String line : info.split("\r?\n", -1)) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      int at = line.indexOf("calls=", colon);
      if (colon < 0 || at < 0) {
        continue;
      }
      int end = line.indexOf(',', at);
      String name = line.substring("cmdstat_".length(), colon);
      long n =
          Long.parseLong(line.substring(at + "calls=".length(), end < 0 ? line.length() : end));
      if (!name.equals("info")) {
        calls.put(name, n);
      }
    }
    return calls;
  }

  /**
   * The calls made between two readings.
   *
   * @param before the first reading
   * @param after the second reading
   * @return command name → calls in between, commands with none left out
   */
  static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new TreeMap<>();
    after.forEach(
        (k, v) -> {
          long diff = v - before.getOrDefault(k, 0L);
          if (diff > 0) {
            d.put(k, diff);
          }
        });
    return d;
  }
}
