// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.messagebus.testkit.Services;

/**
 * The shared Redis of the tests (where it is: the testkit's {@link Services}). This module uses
 * databases 11, 13, 14 and 15 only and flushes only 13, 14 and 15 (FLUSHDB, never FLUSHALL);
 * database 11, which the Spring Boot starter's tests use too, is never flushed: the scale-out test
 * keeps to channels of its own. A missing Redis is handled by the testkit's {@link Services} rule
 * (skipped loudly, failed on CI).
 */
final class RedisSupport {

  /** The targeting property test's database. */
  static final int DB_TARGETING = 13;

  /** The scale-out test's database (shared, never flushed: its channels are unique per run). */
  static final int DB_SCALEOUT = 11;

  /** The recent-window test's database (flushed by it). */
  static final int DB_RECENT_WINDOW = 14;

  /**
   * The loss signal test's database (flushed by it); no other module's tests use it (the Redis
   * module's backend contract test flushes database 9, which this test shared before).
   */
  static final int DB_LOSS = 15;

  private RedisSupport() {}

  static String uri(int db) {
    return Services.redisUri(db);
  }

  static void requireRedis() {
    Services.requireRedis();
  }

  static void flushDb(int db) {
    try (Connection c = connect(db)) {
      c.commands().flushdb();
    }
  }

  /** Connects to database {@code db} of the shared Redis. */
  static Connection connect(int db) {
    RedisClient client = RedisClient.create();
    try {
      return new Connection(client, client.connect(RedisURI.create(uri(db))));
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  /**
   * A test's own connection to one database of the shared Redis, with the client it came from:
   * closing it closes the connection and shuts the client down.
   */
  static final class Connection implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private Connection(RedisClient client, StatefulRedisConnection<String, String> connection) {
      this.client = client;
      this.connection = connection;
    }

    /** The synchronous commands of the connection. */
    RedisCommands<String, String> commands() {
      return connection.sync();
    }

    @Override
    public void close() {
      try {
        connection.close();
      } finally {
        client.shutdown();
      }
    }
  }
}
