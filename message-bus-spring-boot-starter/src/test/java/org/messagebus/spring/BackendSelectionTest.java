// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.redis.RedisBackend;
import org.messagebus.testkit.Services;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code message-bus.backend=redis|postgres} against the real local Redis (database 11) and
 * PostgreSQL (a schema of its own in {@code test}); skipped with the reason outside CI when one is
 * down, a failure with {@code CI=true}.
 */
@Timeout(60)
class BackendSelectionTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MessageBusAutoConfiguration.class))
          .withPropertyValues("message-bus.keepalive-interval=0s");

  @Test
  void redis_fromTheUrlProperty() {
    Services.requireRedis();
    runner
        .withPropertyValues(
            "message-bus.backend=redis",
            "message-bus.redis.url=" + LocalServices.REDIS_URL,
            "message-bus.retention.max-backlog-size=50")
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(RedisBackend.class);
              assertThat(ctx.getBean(RedisBackend.class).retention().maxBacklogSize())
                  .isEqualTo(50);
              assertRoundTrip(ctx);
            });
  }

  @Test
  void redis_badUrl_failsNamingTheProperty() {
    runner
        .withPropertyValues("message-bus.backend=redis", "message-bus.redis.url=http://nope")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("invalid message-bus.redis.url"));
  }

  @Test
  void postgres_onTheApplicationsDataSource() throws Exception {
    Services.requirePostgres();
    String schema = "mb_starter_" + ProcessHandle.current().pid();
    try (Connection c = DriverManager.getConnection(LocalServices.PG_URL);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
    }
    try {
      runner
          .withBean(DataSource.class, () -> dataSource(schema))
          .withPropertyValues(
              "message-bus.backend=postgres", "message-bus.postgres.schema=" + schema)
          .run(
              ctx -> {
                assertThat(ctx).hasSingleBean(PostgresBackend.class);
                assertRoundTrip(ctx);
              });
    } finally {
      try (Connection c = DriverManager.getConnection(LocalServices.PG_URL);
          Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  @Test
  void postgres_withoutUrlOrDataSource_failsWithAClearMessage() {
    runner
        .withPropertyValues("message-bus.backend=postgres")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining(
                        "message-bus.backend=postgres needs a database: message-bus.postgres.url"
                            + " is not set and there is no single DataSource bean"));
  }

  @Test
  void applicationBackendBean_winsOverTheProperty() {
    runner
        .withUserConfiguration(OwnBackend.class)
        .withPropertyValues("message-bus.backend=redis")
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(RedisBackend.class);
              assertThat(ctx.getBean(MessageBus.class).backend())
                  .isSameAs(ctx.getBean("ownBackend"));
            });
  }

  private static void assertRoundTrip(ConfigurableApplicationContext ctx) throws Exception {
    MessageBus bus = ctx.getBean(MessageBus.class);
    BlockingQueue<Message> received = new LinkedBlockingQueue<>();
    bus.subscribe("/starter", received::add);
    long id = bus.publish("/starter", "hello");
    Message m = received.poll(20, TimeUnit.SECONDS);
    assertThat(m).isNotNull();
    assertThat(m.messageId()).isEqualTo(id);
    assertThat(m.data()).isEqualTo("hello");
  }

  private static DataSource dataSource(String schema) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(LocalServices.PG_URL);
    ds.setCurrentSchema(schema);
    return ds;
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBackend {
    @Bean
    org.messagebus.spi.Backend ownBackend() {
      return org.messagebus.memory.MemoryBackend.create();
    }
  }
}
