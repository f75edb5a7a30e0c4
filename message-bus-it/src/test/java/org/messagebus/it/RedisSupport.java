package org.messagebus.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The shared Redis of the tests (127.0.0.1:6379). This module uses databases 13 and 14 only (the
 * other modules' tests use others) and flushes only those (FLUSHDB, never FLUSHALL). Outside CI a
 * missing Redis skips the test with the reason; with {@code CI=true} it fails it.
 */
final class RedisSupport {

  static final String HOST = "127.0.0.1";
  static final int PORT = 6379;

  /** The targeting property test's database. */
  static final int DB_TARGETING = 13;

  /** Reserved for this module's next Redis test. */
  static final int DB_SPARE = 14;

  private RedisSupport() {}

  static String uri(int db) {
    return "redis://" + HOST + ":" + PORT + "/" + db;
  }

  static void requireRedis() {
    boolean up;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, PORT), 500);
      up = true;
    } catch (IOException e) {
      up = false;
    }
    String why = "Redis is not running on " + HOST + ":" + PORT + " (start it, or run .ci/run)";
    if (!up && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(why);
    }
    assumeTrue(up, why);
  }

  static void flushDb(int db) {
    RedisClient client = RedisClient.create();
    try (StatefulRedisConnection<String, String> c =
        client.connect(RedisURI.builder().withHost(HOST).withPort(PORT).withDatabase(db).build())) {
      c.sync().flushdb();
    } finally {
      client.shutdown();
    }
  }
}
