package org.messagebus.redis;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The shared Redis of the tests (127.0.0.1:6379). Each test class uses a database number of its own
 * and flushes only that database (never FLUSHALL), so classes never see each other's data. Outside
 * CI a missing Redis skips the tests with the reason; with {@code CI=true} it fails them.
 */
final class RedisTestSupport {

  static final String HOST = "127.0.0.1";
  static final int PORT = 6379;

  // Database numbers, one per test class.
  static final int DB_BACKEND_CONTRACT = 9;
  static final int DB_BUS_CONTRACT = 8;
  static final int DB_INTEROP = 7;
  static final int DB_TWO_JVMS = 6;
  static final int DB_MISC = 5;

  private static RedisClient client;

  private RedisTestSupport() {}

  static String uri(int db) {
    return "redis://" + HOST + ":" + PORT + "/" + db;
  }

  /** Skips (or, on CI, fails) the calling test class when Redis does not answer. */
  static void requireRedis() {
    boolean up = reachable(HOST, PORT);
    String why = "Redis is not running on " + HOST + ":" + PORT + " (start it, or run .ci/run)";
    if (!up && "true".equals(System.getenv("CI"))) {
      fail(why);
    }
    assumeTrue(up, why);
  }

  static boolean reachable(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static synchronized RedisClient client() {
    if (client == null) {
      client = RedisClient.create();
    }
    return client;
  }

  /** A plain connection to a database of the shared Redis, for setting up and inspecting. */
  static RedisCommands<String, String> redis(int db) {
    StatefulRedisConnection<String, String> c =
        client().connect(RedisURI.builder().withHost(HOST).withPort(PORT).withDatabase(db).build());
    return c.sync();
  }

  /** A plain pub/sub connection to a database of the shared Redis. */
  static StatefulRedisPubSubConnection<String, String> pubSub(int db) {
    return client()
        .connectPubSub(RedisURI.builder().withHost(HOST).withPort(PORT).withDatabase(db).build());
  }

  /** Empties one database of the shared Redis (FLUSHDB, never FLUSHALL). */
  static void flushDb(int db) {
    RedisCommands<String, String> r = redis(db);
    try {
      r.flushdb();
    } finally {
      r.getStatefulConnection().close();
    }
  }
}
