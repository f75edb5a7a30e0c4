// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AbstractBackendSubscriptionTest {

  private static final class Counting extends AbstractBackendSubscription {
    final AtomicInteger closes = new AtomicInteger();

    Counting() {
      this(m -> {});
    }

    Counting(BackendListener listener) {
      super(listener);
    }

    @Override
    public boolean isSubscribed() {
      return !isClosed();
    }

    @Override
    protected void onClose() {
      closes.incrementAndGet();
    }
  }

  @Test
  void closeRunsTheCleanUpOnce_andIsClosedTellsAfterwards() {
    Counting s = new Counting();
    assertThat(s.isClosed()).isFalse();
    s.close();
    s.close();
    assertThat(s.isClosed()).isTrue();
    assertThat(s.isSubscribed()).isFalse();
    assertThat(s.closes).hasValue(1);
  }

  @Test
  void closesRacingOnManyThreads_runTheCleanUpOnce() throws Exception {
    Counting s = new Counting();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                s.close();
              });
      t.start();
      threads.add(t);
    }
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(s.closes).hasValue(1);
  }

  @Test
  void deliver_handsMessagesOn_skipsOneTheListenerFailsOn_andNothingAfterClose() {
    List<Long> got = new ArrayList<>();
    Counting s =
        new Counting(
            m -> {
              if (m.globalId() == 2) {
                throw new IllegalStateException("listener bug");
              }
              got.add(m.globalId());
            });
    s.deliver(new BackendMessage(1, 1, "/a", "1"));
    s.deliver(new BackendMessage(2, 2, "/a", "2"));
    s.deliver(new BackendMessage(3, 3, "/a", "3"));
    s.close();
    s.deliver(new BackendMessage(4, 4, "/a", "4"));
    assertThat(got).containsExactly(1L, 3L);
  }
}
