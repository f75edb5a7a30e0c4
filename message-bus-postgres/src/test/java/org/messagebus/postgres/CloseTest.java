// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Closing a backend that built its own pool while its LISTEN connection is up is quiet: the aborted
 * connection is evicted from the pool it came from, so HikariCP does not warn that it found it
 * broken (it did, before: {@code close()} forgot the pool before stopping the LISTEN thread).
 */
class CloseTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void setUp() {
    pg = PgTestSupport.create("close");
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void close_ownPoolWithListenConnectionUp_logsNoWarning() throws Exception {
    PostgresBackend backend = PostgresBackend.builder().jdbcUrl(pg.url()).build();
    backend.globalSubscribe(-1, m -> {});
    await().atMost(Duration.ofSeconds(20)).until(() -> backend.listenerPid() > 0);

    // slf4j-simple writes to the System.err of the moment; this module's tests run one at a time.
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      backend.close();
    } finally {
      System.setErr(original);
    }

    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log).doesNotContain("WARN").doesNotContain("marked as broken");
    assertThat(backend.listenerPid()).isEqualTo(-1);
  }
}
