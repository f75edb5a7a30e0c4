// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.messagebus.testkit.Services;

/**
 * The real PostgreSQL the tests use (the testkit's {@link Services#postgresUrl()}, database {@code
 * test}, or {@code MESSAGE_BUS_TEST_POSTGRES_URL}), and a schema of its own per test class, dropped
 * afterwards. Without a server the tests are skipped with the reason; with {@code CI=true} they
 * fail.
 */
public final class PgTestSupport implements AutoCloseable {

  /** The JDBC URL of the test database. */
  public static final String URL =
      System.getenv().getOrDefault("MESSAGE_BUS_TEST_POSTGRES_URL", Services.postgresUrl());

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static final Pattern HOST_PORT =
      Pattern.compile("jdbc:postgresql://([^:/?\\[\\]]+)(?::(\\d+))?(?:/|\\?|$)");

  /** The schema of this test class. */
  public final String schema;

  private HikariDataSource dataSource;

  private PgTestSupport(String schema) {
    this.schema = schema;
  }

  /**
   * Checks that PostgreSQL answers (skipping or failing the test otherwise) and creates a fresh
   * schema.
   *
   * @param owner a short name for the schema
   * @return the support object; close it to drop the schema
   */
  public static PgTestSupport create(String owner) {
    String schema =
        ("mbt_"
                + owner.toLowerCase(Locale.ROOT)
                + "_"
                + UUID.randomUUID().toString().substring(0, 8))
            .replace('-', '_');
    requireServer();
    try (Connection c = DriverManager.getConnection(withParameter(URL, "connectTimeout=3"));
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      Services.require(false, "PostgreSQL is not usable at " + URL + ": " + e.getMessage());
    }
    return new PgTestSupport(schema);
  }

  /** The JDBC URL with this schema as the search path. */
  public String url() {
    return withParameter(URL, "currentSchema=" + schema);
  }

  /**
   * The URL with one more query parameter, whether or not it has a query already.
   *
   * @param url a JDBC URL
   * @param parameter {@code name=value}
   * @return the URL with the parameter appended
   */
  static String withParameter(String url, String parameter) {
    return url + (url.indexOf('?') >= 0 ? '&' : '?') + parameter;
  }

  /** Requires the server the test URL names (host and port; 5432 when it gives none). */
  private static void requireServer() {
    Matcher m = HOST_PORT.matcher(URL);
    if (m.lookingAt()) {
      int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
      Services.requireService("PostgreSQL", m.group(1), port);
    } else {
      Services.requirePostgres();
    }
  }

  /** A shared pool on this schema (closed with this object). */
  public synchronized HikariDataSource dataSource() {
    if (dataSource == null) {
      dataSource = pool(url(), 8);
    }
    return dataSource;
  }

  /** A small pool that fails fast when the database is unreachable. */
  public static HikariDataSource pool(String url, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(2_000);
    config.setValidationTimeout(1_000);
    config.setInitializationFailTimeout(-1);
    return new HikariDataSource(config);
  }

  /** A fresh table prefix and notification channel for one backend. */
  public String uniqueName() {
    return "n" + NAMES.incrementAndGet() + "_";
  }

  /** A builder on this schema with its own table and notification channel. */
  public PostgresBackend.Builder backend() {
    String name = uniqueName();
    return PostgresBackend.builder()
        .dataSource(dataSource())
        .schema(schema)
        .tablePrefix(name)
        .notificationChannel(schema + "_" + name);
  }

  /** Runs SQL directly. */
  public void exec(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL);
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /**
   * Makes every row of a backend's table look {@code by} older, as PostgreSQL's own clock would see
   * it: {@code added_at} (stamped with {@code CURRENT_TIMESTAMP}, SPEC §3.3.2) moves back by {@code
   * by}. Expiry itself happens on the next publish, as always.
   */
  public void age(PostgresBackend backend, Duration by) throws SQLException {
    try (Connection c = dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE "
                    + backend.sql.table
                    + " SET added_at = added_at - (? || ' milliseconds')::interval")) {
      ps.setString(1, Long.toString(by.toMillis()));
      ps.executeUpdate();
    }
  }

  @Override
  public void close() throws SQLException {
    if (dataSource != null) {
      dataSource.close();
    }
    exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }
}
