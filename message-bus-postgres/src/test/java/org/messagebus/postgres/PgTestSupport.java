package org.messagebus.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL the tests use (127.0.0.1:5432, database {@code test}, or {@code
 * MESSAGE_BUS_TEST_POSTGRES_URL}), and a schema of its own per test class, dropped afterwards.
 * Without a server the tests are skipped with the reason; with {@code CI=true} they fail.
 */
public final class PgTestSupport implements AutoCloseable {

  /** The JDBC URL of the test database. */
  public static final String URL =
      System.getenv()
          .getOrDefault(
              "MESSAGE_BUS_TEST_POSTGRES_URL",
              "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private static final AtomicInteger NAMES = new AtomicInteger();

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
    try (Connection c = DriverManager.getConnection(URL + "&connectTimeout=3");
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      String reason = "PostgreSQL is not reachable at " + URL + ": " + e.getMessage();
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(reason);
      }
      Assumptions.abort(reason + " (skipping; set CI=true to fail instead)");
    }
    return new PgTestSupport(schema);
  }

  /** The JDBC URL with this schema as the search path. */
  public String url() {
    return URL + "&currentSchema=" + schema;
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

  @Override
  public void close() throws SQLException {
    if (dataSource != null) {
      dataSource.close();
    }
    exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }
}
