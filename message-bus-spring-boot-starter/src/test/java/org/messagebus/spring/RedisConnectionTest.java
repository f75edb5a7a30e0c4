// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.redis.RedisBackend;
import org.messagebus.testkit.Services;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * {@code message-bus.backend=redis} reuses the application's Spring Data Redis connection ({@code
 * spring.data.redis.*}, the {@link DataRedisConnectionDetails} bean) unless {@code
 * message-bus.redis.url} is set; against the real local Redis, database 11. Also: the starter runs
 * on Spring Boot's managed Lettuce, the version an application importing Boot's BOM gets.
 */
@Timeout(60)
class RedisConnectionTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  DataRedisAutoConfiguration.class, MessageBusAutoConfiguration.class))
          .withPropertyValues("message-bus.keepalive-interval=0", "message-bus.backend=redis");

  @Test
  void springDataRedisSettings_areUsed_whenNoUrlIsSet() {
    Services.requireRedis();
    runner
        .withPropertyValues(
            "spring.data.redis.host=" + Services.HOST,
            "spring.data.redis.port=" + Services.REDIS_PORT,
            "spring.data.redis.database=11")
        .run(
            ctx -> {
              RedisBackend backend = ctx.getBean(RedisBackend.class);
              assertThat(backend.notificationChannel()).isEqualTo("_message_bus_11");
              MessageBus bus = ctx.getBean(MessageBus.class);
              BlockingQueue<Message> got = new LinkedBlockingQueue<>();
              bus.subscribe("/boot-redis", got::add);
              long id = bus.publish("/boot-redis", "via spring.data.redis");
              Message m = got.poll(20, TimeUnit.SECONDS);
              assertThat(m).isNotNull();
              assertThat(m.messageId()).isEqualTo(id);
              // stored in database 11, as Spring Data Redis (same settings) sees it
              StringRedisTemplate redis = ctx.getBean(StringRedisTemplate.class);
              assertThat(redis.hasKey("__mb_backlog_n_/boot-redis")).isTrue();
            });
  }

  @Test
  void messageBusUrl_winsOverSpringDataRedis() {
    runner
        .withPropertyValues(
            "spring.data.redis.database=5", "message-bus.redis.url=" + LocalServices.REDIS_URL)
        .run(
            ctx ->
                assertThat(ctx.getBean(RedisBackend.class).notificationChannel())
                    .isEqualTo("_message_bus_11"));
  }

  @Test
  void withoutSpringDataRedis_theDefaultUriApplies() {
    new ApplicationContextRunner()
        .withUserConfiguration(BackendOptionPropertiesTest.RedisOnly.class)
        .withClassLoader(new FilteredClassLoader(DataRedisConnectionDetails.class))
        .withPropertyValues("message-bus.backend=redis")
        .run(
            ctx -> {
              RedisBackend backend = ctx.getBean(RedisBackend.class);
              assertThat(backend.toString()).contains("redis://127.0.0.1?timeout=5s,");
              assertThat(backend.notificationChannel()).isEqualTo("_message_bus_0");
            });
  }

  @Test
  @SuppressWarnings("deprecation") // RedisURI's credential getters, read to check them
  void springDataRedisPassword_andSentinel_areCarriedOver() {
    runner
        .withPropertyValues(
            "spring.data.redis.username=app",
            "spring.data.redis.password=s3cret",
            "spring.data.redis.sentinel.master=mymaster",
            "spring.data.redis.sentinel.nodes=127.0.0.1:26379,127.0.0.2:26380",
            "spring.data.redis.database=3")
        .run(
            ctx -> {
              var uri =
                  RedisBackendConfiguration.BootConnection.toUri(
                      ctx.getBean(DataRedisConnectionDetails.class));
              assertThat(uri.getSentinelMasterId()).isEqualTo("mymaster");
              assertThat(uri.getSentinels()).hasSize(2);
              assertThat(uri.getDatabase()).isEqualTo(3);
              assertThat(uri.getUsername()).isEqualTo("app");
              assertThat(new String(uri.getPassword())).isEqualTo("s3cret");
            });
  }

  @Test
  void springDataRedisCluster_failsWithTheFix() {
    runner
        .withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:7000")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              var a = new MessageBusFailureAnalyzer().analyze(ctx.getStartupFailure());
              assertThat(a.getDescription())
                  .contains("is a Redis Cluster, which the bus does not support");
              assertThat(a.getAction()).startsWith("Set message-bus.redis.url to a standalone");
            });
  }

  @Test
  void lettuceOnTheClassPath_isSpringBootsManagedVersion() {
    String expected = System.getProperty("expected.lettuce.version");
    assertThat(expected).as("set by the pom from lettuce-boot.version").isNotBlank();
    assertThat(RedisClient.class.getProtectionDomain().getCodeSource().getLocation().toString())
        .contains("lettuce-core-" + expected + ".jar");
  }
}
