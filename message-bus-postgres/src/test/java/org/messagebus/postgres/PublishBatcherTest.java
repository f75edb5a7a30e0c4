// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * Group commit: concurrent publishes share transactions, and nothing is lost, doubled or reordered.
 */
@Timeout(120)
class PublishBatcherTest {

  private static final int THREADS = 16;
  private static final int PER_THREAD = 150;

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("batch");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void concurrentPublishes_eachGetOwnIdInPublisherOrder_andReachTheSubscriberOnceInOrder()
      throws Exception {
    try (PostgresBackend b =
        pg.backend()
            .maxPublishBatch(100)
            .retention(Retention.builder().maxGlobalBacklogSize(10_000).build())
            .build()) {
      ConcurrentLinkedQueue<BackendMessage> received = new ConcurrentLinkedQueue<>();
      CountDownLatch all = new CountDownLatch(THREADS * PER_THREAD);
      b.globalSubscribe(
          -1,
          m -> {
            received.add(m);
            all.countDown();
          });
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<long[]>> futures = new ArrayList<>();
      try {
        for (int t = 0; t < THREADS; t++) {
          int thread = t;
          futures.add(
              pool.submit(
                  () -> {
                    long[] ids = new long[PER_THREAD];
                    for (int i = 0; i < PER_THREAD; i++) {
                      ids[i] =
                          b.publish("/t" + thread, thread + ":" + i, BackendPublishOptions.NONE);
                    }
                    return ids;
                  }));
        }
        Set<Long> ids = new HashSet<>();
        for (Future<long[]> f : futures) {
          long[] mine = f.get(60, TimeUnit.SECONDS);
          for (int i = 1; i < mine.length; i++) {
            assertThat(mine[i]).as("one publisher's ids ascend").isGreaterThan(mine[i - 1]);
          }
          for (long id : mine) {
            ids.add(id);
          }
        }
        assertThat(ids).hasSize(THREADS * PER_THREAD);
      } finally {
        pool.shutdownNow();
      }

      assertThat(all.await(60, TimeUnit.SECONDS)).isTrue();
      List<Long> order = received.stream().map(BackendMessage::globalId).toList();
      assertThat(order).isSorted().doesNotHaveDuplicates().hasSize(THREADS * PER_THREAD);
      for (int t = 0; t < THREADS; t++) {
        assertThat(b.backlog("/t" + t, 0))
            .extracting(BackendMessage::payload)
            .hasSize(PER_THREAD)
            .startsWith(t + ":0")
            .endsWith(t + ":" + (PER_THREAD - 1));
      }
    }
  }

  @Test
  void concurrentPublishesToOneChannel_keepItsNewestRowsOnly() throws Exception {
    try (PostgresBackend b =
        pg.backend().retention(Retention.builder().maxBacklogSize(10).build()).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> futures = new ArrayList<>();
      try {
        for (int t = 0; t < THREADS; t++) {
          futures.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < 50; i++) {
                      b.publish("/one", "m" + i, BackendPublishOptions.NONE);
                    }
                  }));
        }
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      // One more publish trims whatever a trim skipped under contention (the advisory lock).
      long last = b.publish("/one", "last", BackendPublishOptions.NONE);

      List<BackendMessage> kept = b.backlog("/one", 0);
      assertThat(kept).hasSize(10);
      assertThat(kept.get(9).messageId()).isEqualTo(last);
      assertThat(kept.get(0).messageId()).isEqualTo(last - 9);
    }
  }
}
