// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import javax.sql.DataSource;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.spi.Backend;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The PostgreSQL backend, used when {@code message-bus.backend=postgres}, {@code
 * message-bus-postgres} is on the class path and the application defines no {@link Backend} bean:
 * on a pool of its own when {@code message-bus.postgres.url} is set, otherwise on the application's
 * {@link DataSource} bean (which it never closes).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.messagebus.postgres.PostgresBackend")
@ConditionalOnMissingBean(Backend.class)
@ConditionalOnProperty(name = "message-bus.backend", havingValue = "postgres")
class PostgresBackendConfiguration {

  @Bean
  PostgresBackend messageBusPostgresBackend(
      MessageBusProperties properties, ObjectProvider<DataSource> dataSource) {
    PostgresBackendProperties p = properties.postgres();
    PostgresBackend.Builder b =
        PostgresBackend.builder()
            .retention(properties.toRetention())
            .createSchema(p.createSchema());
    if (p.url() != null && !p.url().isBlank()) {
      Settings.apply(
          "message-bus.postgres.url", Redaction.url(p.url()), () -> b.jdbcUrl(p.url().trim()));
    } else {
      DataSource ds = dataSource.getIfUnique();
      if (ds == null) {
        throw new InvalidMessageBusPropertyException(
            "message-bus.postgres.url",
            null,
            "message-bus.backend=postgres needs a database: message-bus.postgres.url is not set"
                + " and there is no single DataSource bean",
            "Set message-bus.postgres.url (jdbc:postgresql://host:5432/db?user=...) for a pool of"
                + " the bus's own, or add spring-boot-starter-jdbc and set spring.datasource.url so"
                + " the bus uses the application's DataSource (mark one @Primary if there are"
                + " several).",
            null);
      }
      b.dataSource(ds);
    }
    if (p.schema() != null && !p.schema().isBlank()) {
      Settings.apply("message-bus.postgres.schema", p.schema(), () -> b.schema(p.schema()));
    }
    Settings.apply(
        "message-bus.postgres.table-prefix", p.tablePrefix(), () -> b.tablePrefix(p.tablePrefix()));
    if (p.poolSize() != null) {
      Settings.apply(
          "message-bus.postgres.pool-size", p.poolSize(), () -> b.poolSize(p.poolSize()));
    }
    Settings.apply(
        "message-bus.postgres.notification-channel",
        p.notificationChannel(),
        () -> b.notificationChannel(p.notificationChannel()));
    Settings.apply(
        "message-bus.postgres.reconnect-delay",
        p.reconnectDelay(),
        () -> b.reconnectDelay(p.reconnectDelay()));
    Settings.apply(
        "message-bus.postgres.late-commit-window",
        p.lateCommitWindow(),
        () -> b.lateCommitWindow(p.lateCommitWindow()));
    Settings.apply(
        "message-bus.postgres.max-publish-batch",
        p.maxPublishBatch(),
        () -> b.maxPublishBatch(p.maxPublishBatch()));
    Settings.apply(
        "message-bus.postgres.network-timeout",
        p.networkTimeout(),
        () -> b.networkTimeout(p.networkTimeout()));
    PostgresBackend[] built = new PostgresBackend[1];
    // build() refuses a pool size together with the application's DataSource
    Settings.apply("message-bus.postgres.pool-size", p.poolSize(), () -> built[0] = b.build());
    return built[0];
  }

  @Bean
  StartupLog.BackendDescription messageBusBackendDescription(MessageBusProperties properties) {
    PostgresBackendProperties p = properties.postgres();
    String where =
        p.url() != null && !p.url().isBlank()
            ? StartupLog.redact(p.url().trim())
            : "the application's DataSource";
    String table =
        (p.schema() == null || p.schema().isBlank() ? "" : p.schema() + ".")
            + p.tablePrefix()
            + "message_bus";
    return new StartupLog.BackendDescription(
        "postgres "
            + where
            + " (table "
            + table
            + ", notifications on "
            + p.notificationChannel()
            + ")");
  }
}
