// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.messagebus.spi.Backend;
import org.messagebus.testkit.MessageBusContractTest;

/** Runs the bus contract over {@link RedisBackend}, in a database of its own. */
class RedisMessageBusContractTest extends MessageBusContractTest {

  @BeforeAll
  static void redisIsRunning() {
    RedisTestSupport.requireRedis();
  }

  @Override
  protected Backend createBackend() {
    RedisTestSupport.flushDb(RedisTestSupport.DB_BUS_CONTRACT);
    return RedisBackend.builder()
        .uri(RedisTestSupport.uri(RedisTestSupport.DB_BUS_CONTRACT))
        .build();
  }

  /** Shortens the time to live of every key of the test's database (SPEC §3.2). */
  @Override
  protected void ageStore(Backend backend, Duration by) {
    RedisTestSupport.age(RedisTestSupport.DB_BUS_CONTRACT, by);
  }
}
