// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.EpollProvider;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.messagebus.MessageBus;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.Retention;

/** The builder's defaults and validation, URI forms, and a client supplied by the application. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisBackendOptionsTest {

  private static final int DB = RedisTestSupport.DB_MISC;

  @Test
  void builder_withNothingSet_usesDocumentedDefaults() {
    try (RedisBackend b = RedisBackend.builder().build()) {
      assertThat(b.retention()).isEqualTo(Retention.DEFAULTS);
      assertThat(b.maxInMemoryPublishBacklog()).isEqualTo(1000);
      assertThat(b.notificationChannel()).isEqualTo("_message_bus_0");
      assertThat(b.toString()).contains("127.0.0.1");
    }
  }

  @Test
  @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
  void onLinuxX86_64_lettuceRunsOnNativeEpoll_andPublishes() {
    // The module's netty-transport-native-epoll dependency loads (its Netty matches Lettuce's).
    assertThat(EpollProvider.isAvailable()).isTrue();
    RedisTestSupport.flushDb(DB);
    try (RedisBackend b = RedisBackend.create(RedisTestSupport.uri(DB))) {
      assertThat(b.publish("/epoll", "{}", BackendPublishOptions.NONE)).isEqualTo(1);
    }
  }

  @Test
  void notificationChannel_followsUriDatabaseUnlessSet() {
    try (RedisBackend b = RedisBackend.create(RedisTestSupport.uri(DB));
        RedisBackend c =
            RedisBackend.builder()
                .uri(RedisTestSupport.uri(DB))
                .notificationChannel("_message_bus_0")
                .build()) {
      assertThat(b.notificationChannel()).isEqualTo("_message_bus_" + DB);
      assertThat(c.notificationChannel()).isEqualTo("_message_bus_0");
    }
  }

  @Test
  void uri_tlsSentinelAndPasswordForms_areAcceptedWithoutConnecting() {
    try (RedisBackend tls = RedisBackend.create("rediss://user:secret@redis.example:6380/3");
        RedisBackend sentinel =
            RedisBackend.create(
                "redis-sentinel://:secret@127.0.0.1:26379,127.0.0.1:26380/2#mymaster")) {
      assertThat(tls.notificationChannel()).isEqualTo("_message_bus_3");
      assertThat(tls.toString()).doesNotContain("secret");
      assertThat(sentinel.notificationChannel()).isEqualTo("_message_bus_2");
    }
  }

  @Test
  void builder_badValues_throwNamingTheOption() {
    assertThatThrownBy(() -> RedisBackend.builder().uri("http://user:pw@host/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("uri")
        .hasMessageNotContaining("pw");
    assertThatThrownBy(() -> RedisBackend.builder().maxInMemoryPublishBacklog(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxInMemoryPublishBacklog");
    assertThatThrownBy(() -> RedisBackend.builder().commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("commandTimeout");
    assertThatThrownBy(() -> RedisBackend.builder().retryInterval(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retryInterval");
    assertThatThrownBy(() -> RedisBackend.builder().notificationChannel(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notificationChannel");
  }

  @Test
  void suppliedClient_isUsedAndLeftOpen() throws Exception {
    RedisTestSupport.requireRedis();
    RedisTestSupport.flushDb(DB);
    RedisClient client = RedisClient.create(RedisURI.create(RedisTestSupport.uri(DB)));
    try {
      RedisBackend backend = RedisBackend.builder().client(client).build();
      LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
      try (MessageBus bus =
          MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build()) {
        assertThat(backend.notificationChannel()).isEqualTo("_message_bus_" + DB);
        bus.subscribe("/x", m -> got.add(m.data()));
        bus.publish("/x", "via supplied client");
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("via supplied client");
      }

      try (StatefulRedisConnection<String, String> still = client.connect()) {
        assertThat(still.sync().get("__mb_backlog_id_n_/x")).isEqualTo("1");
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void redisDown_readsFailWithBackendExceptionAndPublishesQueue() {
    // Nothing listens on port 1.
    try (RedisBackend b =
        RedisBackend.builder()
            .uri("redis://127.0.0.1:1/0")
            .commandTimeout(Duration.ofSeconds(2))
            .build()) {
      assertThatThrownBy(() -> b.lastId("/x"))
          .isInstanceOf(org.messagebus.BackendException.class)
          .hasMessageContaining("Redis");
      assertThat(b.publish("/x", "queued", BackendPublishOptions.NONE))
          .isEqualTo(org.messagebus.spi.Backend.QUEUED);
      assertThat(b.queuedPublishes()).isEqualTo(1);
      assertThatThrownBy(
              () -> b.publish("/x", "refused", new BackendPublishOptions(null, null, false)))
          .isInstanceOf(org.messagebus.BackendException.class);
    }
    try (RedisBackend b =
        RedisBackend.builder().uri("redis://127.0.0.1:1/0").queueInMemory(false).build()) {
      assertThatThrownBy(() -> b.publish("/x", "refused", BackendPublishOptions.NONE))
          .isInstanceOf(org.messagebus.BackendException.class)
          .isNotInstanceOf(PublishQueueFullException.class)
          .hasMessageContaining("publish to /x failed");
      assertThat(b.queuedPublishes()).isZero();
    }
  }
}
