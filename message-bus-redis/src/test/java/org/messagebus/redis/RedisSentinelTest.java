// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.testkit.PrivateRedis;

/** A {@code redis-sentinel://} URI works end to end, on a private master and Sentinel. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisSentinelTest {

  /** Starts a Sentinel that monitors {@code master} under the name {@code mymaster}. */
  private static PrivateRedis startSentinel(PrivateRedis master) throws Exception {
    return PrivateRedis.start(
        (port, dir) -> {
          Path conf = dir.resolve("sentinel.conf");
          Files.writeString(
              conf,
              String.join(
                  "\n",
                  "port " + port,
                  "bind 127.0.0.1",
                  "dir " + dir,
                  "logfile " + dir.resolve("sentinel.log"),
                  "sentinel monitor mymaster 127.0.0.1 " + master.port() + " 1",
                  "sentinel down-after-milliseconds mymaster 60000",
                  ""));
          return List.of("redis-server", conf.toString(), "--sentinel");
        });
  }

  @Test
  void sentinelUri_publishesAndSubscribesThroughTheMaster() throws Exception {
    try (PrivateRedis master = PrivateRedis.start();
        PrivateRedis sentinel = startSentinel(master)) {
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
