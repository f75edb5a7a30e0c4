// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.Retention;

/**
 * The frozen options of one {@link PostgresBackend}, as {@link PostgresBackend.Builder} validated
 * them.
 *
 * @param dataSource the application's data source, or null to build a pool from {@code jdbcUrl}
 * @param jdbcUrl the JDBC URL of the pool to build, or null
 * @param poolSize the maximum size of that pool
 * @param retention the backlog limits
 * @param createSchema whether to create the table (and schema) when missing
 * @param schema the schema of the table, or null for the search path
 * @param tablePrefix the prefix of the table and index names, possibly empty
 * @param notificationChannel the NOTIFY channel
 * @param reconnectDelay the pause before re-opening a lost LISTEN connection
 * @param lateCommitWindow how long an id taken by an uncommitted transaction is waited for
 * @param clock the clock of the late-commit window
 * @param maxPublishBatch how many concurrent publishes may share one transaction
 * @param networkTimeout how long a call may wait on the network, zero for the driver's own timeouts
 */
record PgOptions(
    @Nullable DataSource dataSource,
    @Nullable String jdbcUrl,
    int poolSize,
    Retention retention,
    boolean createSchema,
    @Nullable String schema,
    String tablePrefix,
    String notificationChannel,
    Duration reconnectDelay,
    Duration lateCommitWindow,
    Clock clock,
    int maxPublishBatch,
    Duration networkTimeout) {}
