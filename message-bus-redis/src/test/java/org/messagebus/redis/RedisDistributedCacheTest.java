// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.cache.DistributedCache;
import org.messagebus.cache.DistributedCacheManager;

/** The distributed cache (SPEC §7) between two buses that share only a Redis database. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisDistributedCacheTest {

  private static final int DB = RedisTestSupport.DB_MISC;
  private MessageBus busOne;
  private MessageBus busTwo;
  private DistributedCacheManager one;
  private DistributedCacheManager two;

  @BeforeEach
  void setUp() {
    RedisTestSupport.requireRedis();
    RedisTestSupport.flushDb(DB);
    busOne = bus();
    busTwo = bus();
    one = DistributedCacheManager.builder(busOne).build();
    two = DistributedCacheManager.builder(busTwo).build();
  }

  private static MessageBus bus() {
    return MessageBus.builder()
        .backend(RedisBackend.create(RedisTestSupport.uri(DB)))
        .keepaliveInterval(Duration.ZERO)
        .build();
  }

  @AfterEach
  void tearDown() {
    one.close();
    two.close();
    busOne.close();
    busTwo.close();
  }

  @Test
  void valueSetThroughOneBus_appearsAndDisappearsThroughTheOther() {
    DistributedCache a = one.cache("animals");
    DistributedCache b = two.cache("animals");

    a.put("list", List.of(Map.of("name", "frog", "legs", 4)));
    await().atMost(Duration.ofSeconds(10)).until(() -> b.containsKey("list"));
    assertThat(b.get("list")).isEqualTo(List.of(Map.of("name", "frog", "legs", 4L)));

    a.remove("list");
    await().atMost(Duration.ofSeconds(10)).until(() -> !b.containsKey("list"));
    assertThat(b.size()).isZero();
  }
}
