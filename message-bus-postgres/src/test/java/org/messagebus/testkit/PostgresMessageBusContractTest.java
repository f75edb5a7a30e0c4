package org.messagebus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.postgres.PgTestSupport;
import org.messagebus.spi.Backend;

/**
 * Runs the bus contract over {@link org.messagebus.postgres.PostgresBackend}, each test on a table
 * of its own. It lives in the testkit's package only to scale one test down: every PostgreSQL
 * publish is a committed transaction (about 1 ms here), so the 100,000-message test sends 10,000.
 */
class PostgresMessageBusContractTest extends MessageBusContractTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("bus");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  protected Backend createBackend() {
    return pg.backend().build();
  }

  @Override
  protected boolean expiresOnlyOnPublish() {
    return true;
  }

  @Override
  protected Duration timeout() {
    return Duration.ofSeconds(20);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @Override
  void subscribers_fromZeroAndLive_seeHundredThousandMessagesOnceInOrder() {
    int count = 10_000;
    try (MessageBus bus =
        MessageBus.builder().backend(createBackend()).keepaliveInterval(Duration.ZERO).build()) {
      ContiguousSequence fromZero = new ContiguousSequence();
      ContiguousSequence live = new ContiguousSequence();
      bus.subscribe("/chuck", 0, m -> fromZero.accept(((Number) m.data()).longValue()));
      bus.subscribe("/chuck", m -> live.accept(((Number) m.data()).longValue()));

      for (int i = 1; i <= count + 1; i++) {
        bus.publish("/chuck", i);
      }

      await()
          .atMost(timeout())
          .until(
              () ->
                  fromZero.failure() != null
                      || live.failure() != null
                      || (fromZero.last() > count && live.last() > count));
      for (ContiguousSequence s : List.of(fromZero, live)) {
        assertThat(s.failure()).isNull();
        assertThat(s.first()).isEqualTo(1);
        assertThat(s.count()).isEqualTo(count + 1);
      }
    }
  }
}
