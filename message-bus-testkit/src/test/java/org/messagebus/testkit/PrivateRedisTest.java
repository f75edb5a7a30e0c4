// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A private server keeps its data across a restart, loses it with {@code restartEmpty}, runs the
 * test's own command line, and leaves nothing behind. Redis is spoken to in its inline protocol
 * over a plain socket (the testkit has no Redis client). Skipped loudly without {@code
 * redis-server}.
 */
class PrivateRedisTest {

  /**
   * Sends one inline command and returns the first line of the reply, or the value of a bulk
   * string; sends it again while a restarted server still loads its data.
   */
  private static String command(PrivateRedis redis, String command) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> send(redis, command), reply -> !reply.startsWith("-LOADING"));
  }

  private static String send(PrivateRedis redis, String command) throws IOException {
    try (Socket s = new Socket("127.0.0.1", redis.port())) {
      OutputStream out = s.getOutputStream();
      out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String first = in.readLine();
      // A bulk string ($<length>) has its value on the next line; $-1 is none.
      return first.startsWith("$") && !first.equals("$-1") ? in.readLine() : first;
    }
  }

  @Test
  void start_keepsTheDataAcrossARestart_andRestartEmptyLosesIt() throws Exception {
    Path dir;
    try (PrivateRedis redis = PrivateRedis.start()) {
      dir = redis.dir();
      assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port() + "/0");
      assertThat(command(redis, "SET k v")).isEqualTo("+OK");

      redis.stop();
      assertThat(Services.reachable("127.0.0.1", redis.port())).isFalse();
      redis.stop(); // stopped already: nothing to do
      redis.restart();
      assertThat(command(redis, "GET k")).isEqualTo("v");

      redis.stop();
      redis.restartEmpty();
      assertThat(command(redis, "GET k")).isEqualTo("$-1");
      assertThat(dir.resolve("redis.log")).exists();
    }
    assertThat(dir).doesNotExist();
  }

  @Test
  void start_withACommandLine_runsIt_onThePortAndInTheFolderItWasGiven() throws Exception {
    List<Object> given = new ArrayList<>();
    try (PrivateRedis redis =
        PrivateRedis.start(
            (port, dir) -> {
              given.add(port);
              given.add(dir);
              Path conf = dir.resolve("test.conf");
              Files.writeString(
                  conf, "port " + port + "\nbind 127.0.0.1\nsave \"\"\nrequirepass secret\n");
              return List.of("redis-server", conf.toString(), "--dir", dir.toString());
            })) {
      assertThat(given).containsExactly(redis.port(), redis.dir());
      assertThat(command(redis, "PING")).as("the password of its file").startsWith("-NOAUTH");
    }
  }
}
