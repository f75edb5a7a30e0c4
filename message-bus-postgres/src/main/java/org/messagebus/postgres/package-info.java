/**
 * The PostgreSQL backend ({@link org.messagebus.postgres.PostgresBackend}): Ruby-compatible table
 * and LISTEN/NOTIFY on pgjdbc, catch-up after lost connections, payloads beyond the NOTIFY limit,
 * and publishing inside the caller's transaction.
 */
@NullMarked
package org.messagebus.postgres;

import org.jspecify.annotations.NullMarked;
