package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Bad builder values are rejected at once, naming the option. Needs no database. */
class BuilderTest {

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
