// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.messagebus.BackendException;
import org.messagebus.BusClosedException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Bad builder values are rejected at once, naming the option; building connects to nothing. Needs
 * no database.
 */
class BuilderTest {

  /** The live threads of the backend's own HikariCP pool and the backend, by name. */
  private static Set<Thread> backendThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("message-bus-"))
        .collect(Collectors.toSet());
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void build_withJdbcUrl_connectsOnFirstUseAndWrapsItsFailureWithoutThePassword() throws Exception {
    int port = closedPort();
    String url =
        "jdbc:postgresql://127.0.0.1:" + port + "/test?user=app&password=s3cret&connectTimeout=5";
    Set<Thread> before = backendThreads();

    PostgresBackend backend = PostgresBackend.builder().jdbcUrl(url).build();
    try {
      assertThat(backendThreads()).isEqualTo(before); // no pool yet
      assertThatThrownBy(backend::lastGlobalId)
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("PostgreSQL backend: cannot connect to")
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("password=***")
          .hasMessageNotContaining("s3cret");
      // Still nothing running, and the next use tries again.
      assertThat(backendThreads()).isEqualTo(before);
      assertThatThrownBy(() -> backend.lastId("/a")).isInstanceOf(BackendException.class);
    } finally {
      backend.close();
    }
    assertThatThrownBy(backend::lastGlobalId).isInstanceOf(BusClosedException.class);
    assertThat(backendThreads()).isEqualTo(before);
  }

  @Test
  void redact_hidesPasswordsInJdbcUrls() {
    assertThat(PostgresBackend.redact("jdbc:postgresql://h:5432/db?user=u&password=p&ssl=true"))
        .isEqualTo("jdbc:postgresql://h:5432/db?user=u&password=***&ssl=true");
    assertThat(PostgresBackend.redact("jdbc:postgresql://u:p@h/db"))
        .isEqualTo("jdbc:postgresql://***@h/db");
  }

  @Test
  void build_withoutOrWithBothConnectionSources_isRejected() {
    assertThatThrownBy(() -> PostgresBackend.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataSource")
        .hasMessageContaining("jdbcUrl");
    assertThatThrownBy(
            () ->
                PostgresBackend.builder()
                    .dataSource(new PGSimpleDataSource())
                    .jdbcUrl("jdbc:postgresql://127.0.0.1/test")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one");
  }

  @Test
  void poolSize_withDataSource_isRejected() {
    assertThatThrownBy(
            () ->
                PostgresBackend.builder().dataSource(new PGSimpleDataSource()).poolSize(5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("poolSize");
  }

  @Test
  void badValues_areRejectedNamingTheOption() {
    PostgresBackend.Builder b = PostgresBackend.builder();
    assertThatThrownBy(() -> b.jdbcUrl("jdbc:mysql://x/y")).hasMessageContaining("jdbcUrl");
    assertThatThrownBy(() -> b.tablePrefix("Bad-Prefix")).hasMessageContaining("tablePrefix");
    assertThatThrownBy(() -> b.schema("drop table x;")).hasMessageContaining("schema");
    assertThatThrownBy(() -> b.notificationChannel("MessageBus"))
        .hasMessageContaining("notificationChannel");
    assertThatThrownBy(() -> b.notificationChannel("a".repeat(64)))
        .hasMessageContaining("notificationChannel");
    assertThatThrownBy(() -> b.reconnectDelay(Duration.ZERO))
        .hasMessageContaining("reconnectDelay");
    assertThatThrownBy(() -> b.lateCommitWindow(Duration.ofSeconds(-1)))
        .hasMessageContaining("lateCommitWindow");
    assertThatThrownBy(() -> b.poolSize(1)).hasMessageContaining("poolSize");
  }
}
