// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.Retention;

/**
 * Regression: concurrent publishes that all trim used to deadlock (SQLState 40P01) because their
 * DELETEs locked the same rows in different orders. Now one trims at a time and the others skip.
 */
@Timeout(60)
class ConcurrentTrimTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("trim");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void publishersTrimmingConcurrently_neverDeadlockAndLimitsHoldAfterwards() throws Exception {
    Retention tight = Retention.builder().maxBacklogSize(5).maxGlobalBacklogSize(20).build();
    try (PostgresBackend b = pg.backend().retention(tight).build()) {
      int threads = 6;
      int perThread = 150;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          String channel = "/c" + (t % 3);
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                      b.publish(channel, "m" + i, BackendPublishOptions.NONE);
                    }
                    return null;
                  }));
        }
        start.countDown();
        for (Future<?> f : futures) {
          f.get(50, TimeUnit.SECONDS); // a deadlock would surface here as a BackendException
        }
      } finally {
        pool.shutdownNow();
      }
      // One publish per channel with nobody else trimming restores every limit.
      for (int c = 0; c < 3; c++) {
        b.publish("/c" + c, "last", BackendPublishOptions.NONE);
      }
      assertThat(b.lastGlobalId()).isEqualTo(threads * perThread + 3L);
      for (int c = 0; c < 3; c++) {
        assertThat(b.backlog("/c" + c, 0)).hasSizeLessThanOrEqualTo(5);
      }
      List<BackendMessage> global = b.globalBacklog(0);
      assertThat(global).hasSizeLessThanOrEqualTo(20);
    }
  }
}
