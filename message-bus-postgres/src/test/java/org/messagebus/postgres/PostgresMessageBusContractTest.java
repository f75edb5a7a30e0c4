// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.messagebus.spi.Backend;
import org.messagebus.testkit.MessageBusContractTest;

/**
 * Runs the bus contract over {@link PostgresBackend}, each test on a table of its own. Two tests
 * are scaled down: every PostgreSQL publish is a committed transaction (1 to 4 ms on the 2-core
 * test machine), so the 100,000-message test sends 10,000 and the 20,000-message one 5,000.
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

  /** Moves {@code added_at} of every row back (SPEC §3.3.2); the next publish expires. */
  @Override
  protected void ageStore(Backend backend, Duration by) throws Exception {
    pg.age((PostgresBackend) backend, by);
  }

  @Override
  protected boolean expiresOnlyOnPublish() {
    return true;
  }

  @Override
  protected Duration timeout() {
    return Duration.ofSeconds(20);
  }

  @Override
  protected int manyMessagesCount() {
    return 2_000;
  }

  @Override
  protected int concurrentPublishCount() {
    return 1_000;
  }
}
