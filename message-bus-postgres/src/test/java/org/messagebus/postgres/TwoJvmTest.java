// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.Message;
import org.messagebus.MessageBus;

/** Two JVMs on one table exchange messages both ways. */
@Timeout(90)
class TwoJvmTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("jvm");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void secondJvm_answersEveryPingInOrder() throws Exception {
    String prefix = pg.uniqueName();
    String channel = pg.schema + "_" + prefix;
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process peer =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                PeerMain.class.getName(),
                PgTestSupport.URL,
                pg.schema,
                prefix,
                channel)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (MessageBus bus =
        MessageBus.builder()
            .backend(
                PostgresBackend.builder()
                    .dataSource(pg.dataSource())
                    .schema(pg.schema)
                    .tablePrefix(prefix)
                    .notificationChannel(channel)
                    .build())
            .keepaliveInterval(Duration.ZERO)
            .build()) {
      LinkedBlockingQueue<Object> pongs = new LinkedBlockingQueue<>();
      bus.subscribe("/pong", (Message m) -> pongs.add(m.data()));
      BufferedReader out =
          new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
      String ready =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return out.readLine();
                    } catch (IOException e) {
                      return e.toString();
                    }
                  })
              .get(60, TimeUnit.SECONDS);
      assertThat(ready).isEqualTo("READY");

      List<Object> got = new ArrayList<>();
      for (long i = 1; i <= 20; i++) {
        bus.publish("/ping", i);
      }
      for (int i = 0; i < 20; i++) {
        Object pong = pongs.poll(20, TimeUnit.SECONDS);
        assertThat(pong).as("pong %s within 20 s", i + 1).isNotNull();
        got.add(pong);
      }
      assertThat(got).containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
    } finally {
      peer.getOutputStream().close();
      if (!peer.waitFor(10, TimeUnit.SECONDS)) {
        peer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError("the peer did not exit within 10 s of its input closing");
      }
    }
    assertThat(peer.exitValue()).isZero();
  }
}
