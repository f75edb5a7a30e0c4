// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.messagebus.spi.Backend;
import org.messagebus.spi.Retention;
import org.messagebus.testkit.BackendContractTest;

/**
 * Runs the backend contract against {@link PostgresBackend}, each backend on a table of its own.
 * The publish-while-subscribing test sends 5,000 messages instead of 20,000: every PostgreSQL
 * publish is a committed transaction (1 to 4 ms on the 2-core test machine).
 */
class PostgresBackendContractTest extends BackendContractTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("backend");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  protected Backend createBackend(Retention retention) {
    return pg.backend().retention(retention).build();
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
  protected int concurrentPublishCount() {
    return 1_000;
  }
}
