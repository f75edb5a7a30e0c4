// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;

/** Two buses in two JVMs on one Redis database exchange messages both ways. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoJvmTest {

  private static final int DB = RedisTestSupport.DB_TWO_JVMS;

  @BeforeAll
  static void redisIsRunning() {
    RedisTestSupport.requireRedis();
    RedisTestSupport.flushDb(DB);
  }

  @Test
  void busesInTwoJvms_exchangeMessagesBothWays() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path log = Files.createTempFile("mb-peer-", ".log");
    Process peer =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                TwoJvmPeer.class.getName(),
                RedisTestSupport.uri(DB))
            .redirectError(log.toFile())
            .start();
    try (MessageBus bus =
        MessageBus.builder()
            .backend(RedisBackend.builder().uri(RedisTestSupport.uri(DB)).build())
            .keepaliveInterval(Duration.ZERO)
            .build()) {
      LinkedBlockingQueue<Object> fromPeer = new LinkedBlockingQueue<>();
      bus.subscribe("/to-parent", 0, m -> fromPeer.add(m.data()));
      LinkedBlockingQueue<String> peerSays = new LinkedBlockingQueue<>();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    peerSays.add(line);
                  }
                } catch (java.io.IOException e) {
                  peerSays.add("read failed: " + e);
                }
              });
      reader.setDaemon(true);
      reader.start();
      assertThat(peerSays.poll(30, TimeUnit.SECONDS))
          .as("peer started (stderr in %s)", log)
          .isEqualTo("READY");

      assertThat(fromPeer.poll(10, TimeUnit.SECONDS)).isEqualTo("hello from " + peer.pid());
      for (int i = 1; i <= 20; i++) {
        bus.publish("/to-peer", i);
      }
      List<Object> echoes = new ArrayList<>();
      for (int i = 1; i <= 20; i++) {
        echoes.add(fromPeer.poll(10, TimeUnit.SECONDS));
      }

      List<Object> expected = new ArrayList<>();
      for (int i = 1; i <= 20; i++) {
        expected.add("echo:" + i);
      }
      assertThat(echoes).containsExactlyElementsOf(expected);
      // Same store, same ids: both processes see one contiguous global sequence.
      assertThat(bus.globalBacklog(0))
          .extracting(m -> m.globalId())
          .containsExactlyElementsOf(LongStream.rangeClosed(1, 41).boxed().toList());
    } finally {
      peer.getOutputStream().close();
      if (!peer.waitFor(20, TimeUnit.SECONDS)) {
        peer.destroyForcibly();
      }
    }
    assertThat(peer.exitValue()).isZero();
  }
}
