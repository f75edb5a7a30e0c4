package org.messagebus.examples.spring;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;

/** The real local PostgreSQL: tests skip with the reason when it is down, and fail with CI=true. */
final class PostgresAvailable {

  private PostgresAvailable() {}

  static void require() {
    boolean up;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 5432), 1000);
      up = true;
    } catch (IOException e) {
      up = false;
    }
    String why = "PostgreSQL is not running on 127.0.0.1:5432 (start it, or run .ci/run)";
    if (!up && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why);
    }
    Assumptions.assumeTrue(up, why);
  }
}
