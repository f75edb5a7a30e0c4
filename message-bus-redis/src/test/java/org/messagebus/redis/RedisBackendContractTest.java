// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.messagebus.spi.Backend;
import org.messagebus.spi.Retention;
import org.messagebus.testkit.BackendContractTest;

/** Runs the backend contract against {@link RedisBackend}, in a database of its own. */
class RedisBackendContractTest extends BackendContractTest {

  @BeforeAll
  static void redisIsRunning() {
    RedisTestSupport.requireRedis();
  }

  @Override
  protected Backend createBackend(Retention retention) {
    RedisTestSupport.flushDb(RedisTestSupport.DB_BACKEND_CONTRACT);
    return RedisBackend.builder()
        .uri(RedisTestSupport.uri(RedisTestSupport.DB_BACKEND_CONTRACT))
        .retention(retention)
        .build();
  }

  @Override
  protected boolean messageIdEqualsGlobalId() {
    return false;
  }

  /** Shortens the time to live of every key of the test's database (SPEC §3.2). */
  @Override
  protected void ageStore(Backend backend, Duration by) {
    RedisTestSupport.age(RedisTestSupport.DB_BACKEND_CONTRACT, by);
  }
}
