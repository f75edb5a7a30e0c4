// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;
import org.messagebus.BusClosedException;
import org.messagebus.spi.BackendStateTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a {@link PostgresBackend} gets its connections: the application's {@link DataSource}, or a
 * HikariCP pool built from the JDBC URL on first use (so building the backend never connects) and
 * closed with the backend; and the {@code queries} link of the backend's connection state, which
 * every borrowed-connection call reports to.
 *
 * <p><b>Concurrency.</b> {@code poolCreation} serialises building the pool; {@code lifecycle}
 * guards the {@code closed} flag's transitions together with the backend's own lifecycle state (the
 * backend takes the same lock), so a pool built while the backend closes is closed at once.
 */
final class PgConnections {

  private static final Logger LOG = LoggerFactory.getLogger(PgConnections.class);

  /** The link of the borrowed connections in the connection state. */
  static final String QUERIES = "queries";

  /** The link of the LISTEN connection in the connection state. */
  static final String LISTEN = "listen";

  /** Work on a borrowed connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  // Calls wait on the network at most this long (zero: the driver's own timeouts).
  private final Duration networkTimeout;
  private final @Nullable String jdbcUrl;
  private final int poolSize;
  private final @Nullable DataSource suppliedDataSource;
  private final PgSchema schema;
  private final BackendStateTracker state = new BackendStateTracker();
  final ReentrantLock lifecycle = new ReentrantLock();
  private final ReentrantLock poolCreation = new ReentrantLock();
  private volatile @Nullable HikariDataSource ownPool;
  private volatile boolean closed;

  PgConnections(PgOptions options, PgSchema schema) {
    this.networkTimeout = options.networkTimeout();
    this.jdbcUrl = options.jdbcUrl();
    this.poolSize = options.poolSize();
    this.suppliedDataSource = options.dataSource();
    this.schema = schema;
  }

  BackendStateTracker state() {
    return state;
  }

  boolean isClosed() {
    return closed;
  }

  void requireOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static BusClosedException closedException() {
    return new BusClosedException("the PostgreSQL backend is closed; call reconnect() first");
  }

  /**
   * The data source to borrow connections from: the one handed in, or the pool built from the JDBC
   * URL, built now if needed (outside the lifecycle lock, so closing never waits for it).
   *
   * @throws BusClosedException if the backend is closed
   * @throws BackendException if the pool cannot be built (the database is unreachable)
   */
  DataSource dataSource() {
    requireOpen();
    if (suppliedDataSource != null) {
      return suppliedDataSource;
    }
    HikariDataSource pool = ownPool;
    if (pool != null) {
      return pool;
    }
    poolCreation.lock();
    try {
      if (ownPool != null) {
        return ownPool;
      }
      requireOpen();
      HikariDataSource fresh;
      try {
        fresh = new HikariDataSource(poolConfig());
      } catch (RuntimeException e) {
        // HikariCP's PoolInitializationException: the first connection failed.
        BackendException failure =
            new BackendException(
                "PostgreSQL backend: cannot connect to "
                    + redact(
                        Objects.requireNonNull(jdbcUrl, "jdbcUrl (required without a dataSource)"))
                    + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
                e);
        if (!closed) {
          state.down(QUERIES, failure);
        }
        throw failure;
      }
      lifecycle.lock();
      try {
        if (!closed) {
          ownPool = fresh;
          return fresh;
        }
      } finally {
        lifecycle.unlock();
      }
      fresh.close();
      throw closedException();
    } finally {
      poolCreation.unlock();
    }
  }

  private HikariConfig poolConfig() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setPoolName("message-bus-postgres");
    config.setAutoCommit(true);
    if (!networkTimeout.isZero()) {
      // The driver's timeouts bound connecting and logging in too, which setNetworkTimeout (on a
      // connection already made) cannot; parameters in the URL take precedence over these.
      String seconds = Long.toString(Math.max(1, ceilSeconds(networkTimeout)));
      config.addDataSourceProperty("connectTimeout", seconds);
      config.addDataSourceProperty("socketTimeout", seconds);
      long millis = Math.max(250, networkTimeout.toMillis());
      config.setConnectionTimeout(millis);
      config.setValidationTimeout(Math.min(5_000, millis));
    }
    return config;
  }

  private static long ceilSeconds(Duration d) {
    return d.getNano() == 0 ? d.getSeconds() : d.getSeconds() + 1;
  }

  Duration networkTimeout() {
    return networkTimeout;
  }

  /**
   * Bounds how long calls on a borrowed connection wait on the network ({@link
   * PostgresBackend.Builder#networkTimeout}). Returns the connection's previous setting, which
   * {@link #restoreNetworkWait} puts back before the connection is returned: not every pool resets
   * it, and the application's other uses of its connections must not inherit ours.
   *
   * @return the previous network timeout in milliseconds, or -1 if nothing was changed
   */
  int limitNetworkWait(Connection c) throws SQLException {
    if (networkTimeout.isZero()) {
      return -1;
    }
    int before = c.getNetworkTimeout();
    c.setNetworkTimeout(Runnable::run, (int) networkTimeout.toMillis());
    return before;
  }

  /** Puts back what {@link #limitNetworkWait} returned; a broken connection is left as it is. */
  static void restoreNetworkWait(Connection c, int before) {
    if (before < 0) {
      return;
    }
    try {
      c.setNetworkTimeout(Runnable::run, before);
    } catch (SQLException | RuntimeException e) {
      LOG.debug("could not restore a connection's network timeout: {}", e.toString());
    }
  }

  /** The JDBC URL without its password ({@code password=...} or {@code user:password@}). */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//[^@/?]*@", "//***@");
  }

  /**
   * Runs work on a borrowed connection (creating the table first if needed), commits if the
   * connection is not in autocommit, and reports the outcome to the connection state.
   *
   * @throws BackendException if the work failed, naming {@code what}
   */
  <T> T withConnection(String what, SqlWork<T> work) {
    DataSource ds = dataSource();
    T result;
    try (Connection c = ds.getConnection()) {
      int before = limitNetworkWait(c);
      try {
        schema.ensureTable(c);
        result = work.run(c);
        if (!c.getAutoCommit()) {
          c.commit();
        }
      } finally {
        restoreNetworkWait(c, before);
      }
    } catch (SQLException e) {
      BackendException failure = failure(what, e);
      if (isConnectionFailure(e)) {
        if (!closed) {
          state.down(QUERIES, failure);
        }
      } else {
        state.up(QUERIES); // the database answered, with an error of its own
      }
      throw failure;
    }
    state.up(QUERIES);
    return result;
  }

  /**
   * True for a failure to get or keep a connection, rather than an error the database answered
   * with: SQLState class 08, an administrator shutdown or a database starting up (57P01–57P03), or
   * the pool's connection timeout.
   */
  static boolean isConnectionFailure(SQLException e) {
    String s = e.getSQLState();
    return e instanceof SQLTransientConnectionException
        || e instanceof SQLNonTransientConnectionException
        || (s != null && (s.startsWith("08") || s.startsWith("57P0")));
  }

  static BackendException failure(String what, SQLException e) {
    String state = e.getSQLState() == null ? "" : " [SQLState " + e.getSQLState() + "]";
    return new BackendException(
        "PostgreSQL backend: " + what + " failed" + state + ": " + e.getMessage(), e);
  }

  // ---------------------------------------------------------------- lifecycle (caller holds
  // lifecycle)

  /** Re-opens: a closed pool is built again on first use, an open one renews its connections. */
  void reopen() {
    HikariDataSource pool = ownPool;
    if (pool != null && pool.isClosed()) {
      ownPool = null;
    } else if (pool != null && pool.getHikariPoolMXBean() != null) {
      pool.getHikariPoolMXBean().softEvictConnections();
    }
    closed = false;
  }

  /** Marks closed and hands back the pool this backend built (to close), or null. */
  @Nullable HikariDataSource markClosed() {
    closed = true;
    HikariDataSource pool = ownPool;
    ownPool = null;
    return pool;
  }
}
