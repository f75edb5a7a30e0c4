// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.jspecify.annotations.Nullable;

/**
 * The table of SPEC §3.3.1 and its indexes: created on first use when {@code createSchema} is on
 * (never inside a caller's transaction), dropped and re-created by {@code reset}. DDL on the table
 * is serialised across processes with a transaction-scoped advisory lock, since {@code CREATE ...
 * IF NOT EXISTS} can still race. Thread-safe: {@code tableReady} only goes from false to true.
 */
final class PgSchema {

  private final Sql sql;
  private final boolean createSchema;
  private final @Nullable String schema;
  private volatile boolean tableReady;

  PgSchema(Sql sql, boolean createSchema, @Nullable String schema) {
    this.sql = sql;
    this.createSchema = createSchema;
    this.schema = schema;
  }

  /** True when the table still has to be checked (or created) before the first statement. */
  boolean pending() {
    return !tableReady && createSchema;
  }

  /** Creates the table (and schema) if it is missing and creating is on. */
  void ensureTable(Connection c) throws SQLException {
    if (!pending()) {
      return;
    }
    if (tableExists(c)) {
      tableReady = true;
      return;
    }
    inTransaction(
        c,
        () -> {
          try (Statement st = c.createStatement()) {
            lock(st);
            // Checked again under the lock: whoever held it may have created the table, and even
            // CREATE INDEX IF NOT EXISTS would wait for a SHARE lock on it, behind any open
            // transaction that published (and block every publish queued behind it).
            if (tableExists(c)) {
              return;
            }
            if (schema != null) {
              st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            }
            create(st);
          }
        });
    tableReady = true;
  }

  private boolean tableExists(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql.tableExists)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** Drops and re-creates the table, in one transaction (Ruby's {@code reset!}). */
  void recreate(Connection c) throws SQLException {
    inTransaction(
        c,
        () -> {
          try (Statement st = c.createStatement()) {
            lock(st);
            st.execute(sql.dropTable);
            create(st);
          }
        });
  }

  /** Serialises DDL on this table across processes. */
  private void lock(Statement st) throws SQLException {
    try (PreparedStatement ps =
        st.getConnection().prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
      ps.setString(1, "message_bus:" + sql.table);
      ps.execute();
    }
  }

  private void create(Statement st) throws SQLException {
    st.execute(sql.createTable);
    st.execute(sql.createChannelIndex);
    st.execute(sql.createAddedAtIndex);
  }

  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }

  private static void inTransaction(Connection c, SqlAction action) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      action.run();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }
}
