// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import org.messagebus.testkit.Services;

/**
 * The shared Redis of the tests (where it is: the testkit's {@link Services}). Each test class uses
 * a database number of its own (the two small classes on {@link #DB_MISC} share theirs: tests of
 * one module run one class at a time) and flushes only that database (never FLUSHALL), so classes
 * never see each other's data. Outside CI a missing Redis skips the tests with the reason; with
 * {@code CI=true} it fails them.
 */
final class RedisTestSupport {

  // Database numbers, one per test class.
  static final int DB_BACKEND_CONTRACT = 9;
  static final int DB_BUS_CONTRACT = 8;
  static final int DB_INTEROP = 7;
  static final int DB_TWO_JVMS = 6;
  static final int DB_MISC = 5;
  static final int DB_START_STATE = 4;
  static final int DB_CONNECT_ONCE = 3;

  private static RedisClient client;

  private RedisTestSupport() {}

  static String uri(int db) {
    return Services.redisUri(db);
  }

  /** Skips (or, on CI, fails) the calling test class when Redis does not answer. */
  static void requireRedis() {
    Services.requireRedis();
  }

  private static synchronized RedisClient client() {
    if (client == null) {
      client = RedisClient.create();
    }
    return client;
  }

  /** A plain connection to a database of the shared Redis, for setting up and inspecting. */
  static StatefulRedisConnection<String, String> redis(int db) {
    return client().connect(RedisURI.create(uri(db)));
  }

  /** A plain pub/sub connection to a database of the shared Redis. */
  static StatefulRedisPubSubConnection<String, String> pubSub(int db) {
    return client().connectPubSub(RedisURI.create(uri(db)));
  }

  /** Empties one database of the shared Redis (FLUSHDB, never FLUSHALL). */
  static void flushDb(int db) {
    try (StatefulRedisConnection<String, String> c = redis(db)) {
      c.sync().flushdb();
    }
  }

  /**
   * Makes one database look {@code by} older, as its own clock would see it (SPEC §3.2: every
   * backlog key carries a time to live): each key's time to live ({@code PTTL}) is shortened by
   * {@code by} ({@code PEXPIRE}); a key whose time runs out is deleted, as Redis would have done.
   * Keys without a time to live (the global id) are left alone.
   */
  static void age(int db, Duration by) {
    try (StatefulRedisConnection<String, String> c = redis(db)) {
      RedisCommands<String, String> r = c.sync();
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        KeyScanCursor<String> page = r.scan(cursor);
        for (String key : page.getKeys()) {
          long left = r.pttl(key);
          if (left <= 0) {
            continue; // no time to live (-1), or already gone (-2)
          }
          long aged = left - by.toMillis();
          if (aged <= 0) {
            r.del(key);
          } else {
            r.pexpire(key, aged);
          }
        }
        cursor = page;
      } while (!cursor.isFinished());
    }
  }
}
