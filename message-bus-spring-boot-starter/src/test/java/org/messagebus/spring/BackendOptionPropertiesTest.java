// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.testkit.Services;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.test.util.ReflectionTestUtils;

/**
 * Every backend and HTTP option set through {@code message-bus.*} reaches the built backend or
 * {@link HttpTransportOptions}. The backends are built without a bus (nothing connects to Redis);
 * the PostgreSQL pool of {@code message-bus.postgres.url} connects to the real local server.
 * Options without a public getter on the backend are read from its fields.
 */
@Timeout(60)
class BackendOptionPropertiesTest {

  @Test
  void redisOptions_reachTheBackend() {
    new ApplicationContextRunner()
        .withUserConfiguration(RedisOnly.class)
        .withPropertyValues("message-bus.backend=redis")
        .withPropertyValues(
            "message-bus.redis.url=" + LocalServices.REDIS_URL,
            "message-bus.redis.max-in-memory-publish-backlog=7",
            "message-bus.redis.command-timeout=2s",
            "message-bus.redis.retry-interval=3s",
            "message-bus.redis.queue-in-memory=false",
            "message-bus.redis.notification-channel=_message_bus_0")
        .run(
            ctx -> {
              RedisBackend r = ctx.getBean(RedisBackend.class);
              assertThat(r.maxInMemoryPublishBacklog()).isEqualTo(7);
              assertThat(r.notificationChannel()).isEqualTo("_message_bus_0");
              assertThat(field(field(r, "connections"), "commandTimeout"))
                  .isEqualTo(Duration.ofSeconds(2));
              assertThat(field(field(r, "connections"), "retryInterval"))
                  .isEqualTo(Duration.ofSeconds(3));
              assertThat(field(r, "queueInMemoryByDefault")).isEqualTo(false);
            });
  }

  @Test
  void redisConnecting_isBoundedByTheCommandTimeout_unlessTheUrlSaysOtherwise() {
    ApplicationContextRunner redis =
        new ApplicationContextRunner()
            .withUserConfiguration(RedisOnly.class)
            .withPropertyValues(
                "message-bus.backend=redis", "message-bus.redis.command-timeout=2s");
    redis
        .withPropertyValues("message-bus.redis.url=" + LocalServices.REDIS_URL)
        .run(
            ctx ->
                assertThat(
                        ((RedisURI)
                                field(field(ctx.getBean(RedisBackend.class), "connections"), "uri"))
                            .getTimeout())
                    .isEqualTo(Duration.ofSeconds(2)));
    redis
        .withPropertyValues("message-bus.redis.url=" + LocalServices.REDIS_URL + "?timeout=7s")
        .run(
            ctx ->
                assertThat(
                        ((RedisURI)
                                field(field(ctx.getBean(RedisBackend.class), "connections"), "uri"))
                            .getTimeout())
                    .isEqualTo(Duration.ofSeconds(7)));
  }

  @Test
  void redisDefaults_equalTheBuildersDefaults() {
    new ApplicationContextRunner()
        .withUserConfiguration(RedisOnly.class)
        .withPropertyValues("message-bus.backend=redis")
        .withPropertyValues("message-bus.redis.url=" + LocalServices.REDIS_URL)
        .run(
            ctx -> {
              RedisBackend r = ctx.getBean(RedisBackend.class);
              assertThat(r.notificationChannel()).isEqualTo("_message_bus_11");
              assertThat(field(field(r, "connections"), "retryInterval"))
                  .isEqualTo(RedisBackend.DEFAULT_RETRY_INTERVAL);
              assertThat(field(r, "queueInMemoryByDefault")).isEqualTo(true);
            });
  }

  @Test
  void postgresOptions_reachTheBackend_withItsOwnPool() {
    Services.requirePostgres();
    new ApplicationContextRunner()
        .withUserConfiguration(PostgresOnly.class)
        .withPropertyValues("message-bus.backend=postgres")
        .withPropertyValues(
            "message-bus.postgres.url=" + LocalServices.PG_URL,
            "message-bus.postgres.pool-size=3",
            "message-bus.postgres.notification-channel=_message_bus_5",
            "message-bus.postgres.reconnect-delay=4s",
            "message-bus.postgres.late-commit-window=2m",
            "message-bus.postgres.max-publish-batch=7",
            "message-bus.postgres.network-timeout=9s")
        .run(
            ctx -> {
              PostgresBackend p = ctx.getBean(PostgresBackend.class);
              assertThat(field(field(p, "connections"), "poolSize")).isEqualTo(3);
              assertThat(field(p, "notificationChannel")).isEqualTo("_message_bus_5");
              assertThat(field(p, "reconnectDelay")).isEqualTo(Duration.ofSeconds(4));
              assertThat(field(p, "lateCommitWindow")).isEqualTo(Duration.ofMinutes(2));
              assertThat(field(field(p, "batcher"), "maxBatch")).isEqualTo(7);
              assertThat(field(field(p, "connections"), "networkTimeout"))
                  .isEqualTo(Duration.ofSeconds(9));
            });
  }

  @Test
  void postgresDefaults_equalTheBuildersDefaults() {
    new ApplicationContextRunner()
        .withUserConfiguration(PostgresOnly.class)
        .withPropertyValues("message-bus.backend=postgres")
        .withBean(DataSource.class, PGSimpleDataSource::new)
        .run(
            ctx -> {
              PostgresBackend p = ctx.getBean(PostgresBackend.class);
              assertThat(field(p, "notificationChannel"))
                  .isEqualTo(PostgresBackend.DEFAULT_NOTIFICATION_CHANNEL);
              assertThat(field(p, "reconnectDelay"))
                  .isEqualTo(PostgresBackend.DEFAULT_RECONNECT_DELAY);
              assertThat(field(p, "lateCommitWindow"))
                  .isEqualTo(PostgresBackend.DEFAULT_LATE_COMMIT_WINDOW);
              assertThat(field(field(p, "batcher"), "maxBatch"))
                  .isEqualTo(PostgresBackend.DEFAULT_MAX_PUBLISH_BATCH);
              assertThat(field(field(p, "connections"), "networkTimeout"))
                  .isEqualTo(PostgresBackend.DEFAULT_NETWORK_TIMEOUT);
            });
    assertThat(ConfigurationMetadataTest.EXPECTED.get("message-bus.postgres.pool-size"))
        .isEqualTo(PostgresBackend.DEFAULT_POOL_SIZE);
  }

  @Test
  void postgresPoolSize_withTheApplicationsDataSource_failsNamingTheProperty() {
    new ApplicationContextRunner()
        .withUserConfiguration(PostgresOnly.class)
        .withPropertyValues("message-bus.backend=postgres")
        .withBean(DataSource.class, PGSimpleDataSource::new)
        .withPropertyValues("message-bus.postgres.pool-size=4")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining(
                        "invalid message-bus.postgres.pool-size (4): poolSize applies only to the"
                            + " pool built from jdbcUrl"));
  }

  @Test
  void badBackendOption_failsNamingTheProperty() {
    new ApplicationContextRunner()
        .withUserConfiguration(RedisOnly.class)
        .withPropertyValues("message-bus.backend=redis")
        .withPropertyValues("message-bus.redis.retry-interval=0s")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("invalid message-bus.redis.retry-interval (PT0S)"));
  }

  @Test
  void httpFanOutThreads_reachTheOptions_andDefaultsToTheBuilders() {
    WebApplicationContextRunner web =
        new WebApplicationContextRunner()
            .withConfiguration(
                AutoConfigurations.of(
                    MessageBusAutoConfiguration.class, MessageBusServletAutoConfiguration.class))
            .withPropertyValues("message-bus.keepalive-interval=0");
    web.withPropertyValues("message-bus.http.fan-out-threads=3")
        .run(
            ctx ->
                assertThat(ctx.getBean(HttpTransportOptions.class).fanOutThreads()).isEqualTo(3));
    web.run(
        ctx ->
            assertThat(ctx.getBean(HttpTransportOptions.class).fanOutThreads())
                .isEqualTo(HttpTransportOptions.DEFAULT_FAN_OUT_THREADS));
    web.withPropertyValues("message-bus.http.fan-out-threads=65")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("invalid message-bus.http.fan-out-threads (65)"));
  }

  @Test
  void heldPollCaps_reachTheOptions_andDefaultToTheBuilders() {
    WebApplicationContextRunner web =
        new WebApplicationContextRunner()
            .withConfiguration(
                AutoConfigurations.of(
                    MessageBusAutoConfiguration.class, MessageBusServletAutoConfiguration.class))
            .withPropertyValues("message-bus.keepalive-interval=0");
    web.withPropertyValues(
            "message-bus.http.max-held-polls-per-user=3",
            "message-bus.http.max-held-polls-per-address=200",
            "message-bus.http.held-polls-retry-after=30s",
            "message-bus.http.close-held-poll-connections=true",
            "message-bus.http.recent-window-messages=8",
            "message-bus.http.recent-window-channels=0",
            "message-bus.http.recent-window-size=1MB",
            "message-bus.http.trusted-proxies=10.0.0.0/8, 192.168.1.7")
        .run(
            ctx -> {
              HttpTransportOptions o = ctx.getBean(HttpTransportOptions.class);
              assertThat(o.maxHeldPollsPerUser()).isEqualTo(3);
              assertThat(o.maxHeldPollsPerAddress()).isEqualTo(200);
              assertThat(o.heldPollsRetryAfter()).isEqualTo(Duration.ofSeconds(30));
              assertThat(o.closeHeldPollConnections()).isTrue();
              assertThat(o.recentWindowMessages()).isEqualTo(8);
              assertThat(o.recentWindowChannels()).isZero();
              assertThat(o.recentWindowBytes()).isEqualTo(1024 * 1024);
              assertThat(o.trustedProxies()).containsExactly("10.0.0.0/8", "192.168.1.7");
            });
    web.run(
        ctx -> {
          HttpTransportOptions o = ctx.getBean(HttpTransportOptions.class);
          HttpTransportOptions d = HttpTransportOptions.defaults();
          assertThat(o.maxHeldPollsPerUser()).isEqualTo(d.maxHeldPollsPerUser());
          assertThat(o.maxHeldPollsPerAddress()).isEqualTo(d.maxHeldPollsPerAddress());
          assertThat(o.heldPollsRetryAfter()).isEqualTo(d.heldPollsRetryAfter());
          assertThat(o.closeHeldPollConnections()).isFalse();
          assertThat(o.recentWindowMessages()).isEqualTo(d.recentWindowMessages());
          assertThat(o.recentWindowChannels()).isEqualTo(d.recentWindowChannels());
          assertThat(o.recentWindowBytes()).isEqualTo(d.recentWindowBytes());
          assertThat(o.trustedProxies()).isEqualTo(d.trustedProxies());
          assertThat(ctx.getBean(MessageBusDrain.class).retryAfter())
              .isEqualTo(Duration.ofSeconds(5));
        });
    web.withPropertyValues("message-bus.http.trusted-proxies=")
        .run(ctx -> assertThat(ctx.getBean(HttpTransportOptions.class).trustedProxies()).isEmpty());
    web.withPropertyValues("message-bus.http.max-held-polls-per-user=0")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining(
                        "invalid message-bus.http.max-held-polls-per-user (0)"));
    web.withPropertyValues("message-bus.http.trusted-proxies=proxy.example")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("invalid message-bus.http.trusted-proxies"));
    web.withPropertyValues("message-bus.http.held-polls-retry-after=1500ms")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("invalid message-bus.http.held-polls-retry-after"));
    web.withPropertyValues("message-bus.http.drain-retry-after=0s")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("invalid message-bus.http.drain-retry-after"));
  }

  private static Object field(Object target, String name) {
    Object value = ReflectionTestUtils.getField(target, name);
    assertThat(value).as("%s of %s", name, target).isNotNull();
    return value;
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(MessageBusProperties.class)
  @Import(RedisBackendConfiguration.class)
  static class RedisOnly {}

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(MessageBusProperties.class)
  @Import(PostgresBackendConfiguration.class)
  static class PostgresOnly {}
}
