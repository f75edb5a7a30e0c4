// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests that need a real service (Redis, PostgreSQL, an installed program): on a
 * CI machine a missing service <em>fails</em> the test; elsewhere the test is <em>skipped
 * loudly</em>: it is aborted with the reason (JUnit reports it as skipped) and the reason is
 * printed to standard error, so a developer without the service sees why.
 *
 * <p><b>What counts as CI</b>: the environment variable {@code CI} equals {@code true}, ignoring
 * case ({@code true} on GitHub Actions, GitLab, CircleCI and Travis, {@code True} on AppVeyor). Any
 * other value, or none, is a developer machine.
 *
 * <pre>{@code
 * @BeforeAll
 * static void redis() {
 *   Services.requireRedis();
 * }
 * }</pre>
 *
 * <p><b>Where the services are</b>: this class is the one place that says so. Tests name the shared
 * Redis with {@link #redisUri(int)} (each test class keeps a database number of its own), the
 * shared PostgreSQL with {@link #postgresUrl()}, and a raw socket or a {@link TcpProxy} to either
 * with {@link #HOST} and {@link #REDIS_PORT} or {@link #POSTGRES_PORT}; a proxy's {@link
 * TcpProxy#url(String)} turns those URLs into the proxy's own.
 */
public final class Services {

  /** The host of the shared test services. */
  public static final String HOST = "127.0.0.1";

  /** The port of the shared Redis. */
  public static final int REDIS_PORT = 6379;

  /** The port of the shared PostgreSQL (trust authentication, database {@code test}). */
  public static final int POSTGRES_PORT = 5432;

  private static final int CONNECT_TIMEOUT_MILLIS = 1_000;

  private Services() {}

  /**
   * The URI of one database of the shared Redis, for Lettuce or a backend: {@code
   * redis://127.0.0.1:6379/<database>}.
   *
   * @param database the database number (tests use distinct numbers so they can run side by side)
   * @return the URI
   */
  public static String redisUri(int database) {
    return "redis://" + HOST + ":" + REDIS_PORT + "/" + database;
  }

  /**
   * The JDBC URL of database {@code test} on the shared PostgreSQL, as user {@code postgres}:
   * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}. It has a query, so more parameters
   * are appended with {@code &}.
   *
   * @return the URL
   */
  public static String postgresUrl() {
    return "jdbc:postgresql://" + HOST + ":" + POSTGRES_PORT + "/test?user=postgres";
  }

  /**
   * Tells whether the tests run on a CI machine: {@code CI} is {@code true}, ignoring case.
   *
   * @return true on CI
   */
  public static boolean isCi() {
    return isCi(System.getenv("CI"));
  }

  static boolean isCi(String value) {
    return value != null && value.toLowerCase(Locale.ROOT).equals("true");
  }

  /**
   * Requires the shared Redis at {@value #HOST}:{@value #REDIS_PORT}.
   *
   * @throws org.opentest4j.TestAbortedException outside CI when it does not answer
   * @throws org.opentest4j.AssertionFailedError on CI when it does not answer
   */
  public static void requireRedis() {
    requireService("Redis", HOST, REDIS_PORT);
  }

  /**
   * Requires the shared PostgreSQL at {@value #HOST}:{@value #POSTGRES_PORT} (it accepts TCP
   * connections; logging in is the test's business).
   *
   * @throws org.opentest4j.TestAbortedException outside CI when it does not answer
   * @throws org.opentest4j.AssertionFailedError on CI when it does not answer
   */
  public static void requirePostgres() {
    requireService("PostgreSQL", HOST, POSTGRES_PORT);
  }

  /**
   * Requires a service that accepts TCP connections on a host and port (within one second).
   *
   * @param name the service's name, for the message
   * @param host its host
   * @param port its port
   * @throws org.opentest4j.TestAbortedException outside CI when it does not answer
   * @throws org.opentest4j.AssertionFailedError on CI when it does not answer
   */
  public static void requireService(String name, String host, int port) {
    require(
        reachable(host, port),
        name + " is not running on " + host + ":" + port + " (start it, or run .ci/run)");
  }

  /**
   * Applies the rule to any precondition: does nothing if {@code available}, else fails the test on
   * CI and skips it loudly elsewhere.
   *
   * @param available whether what the test needs is there
   * @param why what is missing and how to get it, e.g. {@code "redis-server is not installed"}
   * @throws org.opentest4j.TestAbortedException outside CI when not available
   * @throws org.opentest4j.AssertionFailedError on CI when not available
   */
  public static void require(boolean available, String why) {
    if (available) {
      return;
    }
    if (isCi()) {
      Assertions.fail(why + " (CI=" + System.getenv("CI") + ": failing)");
    }
    System.err.println("SKIPPED: " + why + " (set CI=true to fail instead)");
    Assumptions.abort(why + " (skipping; set CI=true to fail instead)");
  }

  /**
   * Tells whether something accepts TCP connections on a host and port within one second.
   *
   * @param host the host
   * @param port the port
   * @return true if a connection could be opened
   */
  public static boolean reachable(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
