package org.messagebus.spring;

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
 */
public record PostgresBackendProperties(
    String url,
    String schema,
    @DefaultValue("") String tablePrefix,
    @DefaultValue("true") boolean createSchema) {}
