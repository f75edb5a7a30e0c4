// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;

/** A {@code redis-sentinel://} URI works end to end, on a private master and Sentinel. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisSentinelTest {

  @Test
  void sentinelUri_publishesAndSubscribesThroughTheMaster() throws Exception {
    try (PrivateRedis master = PrivateRedis.start();
        PrivateRedis sentinel = PrivateRedis.startSentinel(master)) {
      String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#mymaster";
      LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
      try (MessageBus bus =
          MessageBus.builder()
              .backend(RedisBackend.create(uri))
              .keepaliveInterval(Duration.ZERO)
              .build()) {
        bus.subscribe("/s", m -> got.add(m.data()));
        bus.publish("/s", "via sentinel");

        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("via sentinel");
      }
      RedisClient direct = RedisClient.create(master.uri());
      try (StatefulRedisConnection<String, String> c = direct.connect()) {
        assertThat(c.sync().get("__mb_backlog_id_n_/s")).isEqualTo("1");
      } finally {
        direct.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }
}
