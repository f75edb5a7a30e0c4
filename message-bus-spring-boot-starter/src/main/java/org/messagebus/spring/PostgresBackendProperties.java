// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code message-bus.postgres.*}: the PostgreSQL backend ({@code message-bus-postgres}, {@code
 * message-bus.backend=postgres}).
 *
 * @param url A JDBC URL for a pool of the bus's own; unset, the application's DataSource bean is
 *     used.
 * @param schema The schema of the message_bus table; unset, the connection's search_path decides.
 * @param tablePrefix A prefix of the table and index names (empty: Ruby's message_bus).
 * @param createSchema Whether to create the table and its indexes when missing.
 * @param poolSize Maximum size of the bus's own pool (with message-bus.postgres.url only; the
 *     LISTEN connection is one of them). Unset: 10.
 * @param notificationChannel The NOTIFY channel (Ruby's _message_bus_&lt;db&gt;).
 * @param reconnectDelay How long to wait before re-opening a lost LISTEN connection (and retrying a
 *     failed catch-up).
 * @param lateCommitWindow How long an id taken by a transaction not yet committed may hold back the
 *     messages after it; after it the id is given up (later messages go out, and that message,
 *     should it commit after all, is not delivered).
 * @param maxPublishBatch How many concurrent publishes may share one transaction (group commit; 1
 *     turns batching off).
 * @param networkTimeout How long a call may wait on the network before its connection is taken as
 *     lost (a host that silently drops packets); with the bus's own pool also its connect, socket
 *     and pool timeouts. 0 leaves the driver's and pool's own.
 */
public record PostgresBackendProperties(
    String url,
    String schema,
    @DefaultValue("") String tablePrefix,
    @DefaultValue("true") boolean createSchema,
    Integer poolSize,
    @DefaultValue("_message_bus_0") String notificationChannel,
    @DefaultValue("1s") Duration reconnectDelay,
    @DefaultValue("1m") Duration lateCommitWindow,
    @DefaultValue("100") int maxPublishBatch,
    @DefaultValue("30s") Duration networkTimeout) {}
