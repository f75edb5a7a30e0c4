package org.messagebus.spring;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;

/**
 * The real local Redis (6379) and PostgreSQL (5432) the tests use: a test that needs one is skipped
 * with the reason when it is down, and fails instead with {@code CI=true}.
 */
final class LocalServices {

  static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /** The Redis database of the starter's tests. */
  static final String REDIS_URL = "redis://127.0.0.1:6379/11";

  private LocalServices() {}

  static void requireRedis() {
    require("Redis", 6379);
  }

  static void requirePostgres() {
    require("PostgreSQL", 5432);
  }

  private static void require(String name, int port) {
    boolean up;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      up = true;
    } catch (IOException e) {
      up = false;
    }
    String why = name + " is not running on 127.0.0.1:" + port + " (start it, or run .ci/run)";
    if (!up && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why);
    }
    Assumptions.assumeTrue(up, why);
  }
}
