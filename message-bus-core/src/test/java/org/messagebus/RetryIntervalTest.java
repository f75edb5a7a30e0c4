// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The outage catch-up on the bus's scheduler: a subscription from a position made while the store
 * cannot be read is caught up by the background work, retried every {@code retryInterval} of the
 * scheduler's time (not sooner, not later), and at once when the backend reports the store back.
 * The catch-up runs inside {@link ManualScheduler#advance}, on the test's thread, so what it
 * delivered can be checked right after without waiting.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetryIntervalTest {

  private static final Duration RETRY = Duration.ofSeconds(5);

  private final ManualScheduler time = new ManualScheduler();
  private final FlakyBackend backend = new FlakyBackend();
  private final MessageBus bus =
      MessageBus.builder()
          .backend(backend)
          .clock(time.clock())
          .scheduler(time)
          .keepaliveInterval(Duration.ZERO)
          .retryInterval(RETRY)
          .build();
  private final BlockingQueue<Object> got = new LinkedBlockingQueue<>();

  @AfterEach
  void tearDown() {
    bus.close();
  }

  @Test
  void catchUp_whileTheStoreCannotBeRead_isRetriedEveryRetryInterval() throws Exception {
    bus.publish("/a", "one");
    backend.down = true; // reads fail; the backend does not say so, the bus finds out

    bus.subscribe("/a", 0, m -> got.add(m.data()));
    time.runDue(); // first attempt (and the firehose's): the store is away
    assertThat(got).isEmpty();
    assertThat(time.queued()).as("one retry queued").isEqualTo(1);

    time.advance(RETRY); // second attempt: still away
    assertThat(got).isEmpty();
    assertThat(time.queued()).isEqualTo(1);

    backend.down = false; // back, still without a report
    time.advance(RETRY.minusNanos(1));
    assertThat(got).as("not before the retry interval").isEmpty();
    time.advance(Duration.ofNanos(1));
    assertThat(got.poll()).as("caught up on the scheduler, inside advance()").isEqualTo("one");
    assertThat(time.queued()).isZero();
    assertThat(bus.isListening()).isTrue();

    bus.publish("/a", "two");
    assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("two");
    assertThat(got).isEmpty();
  }

  @Test
  void catchUp_whenTheBackendReportsTheStoreBack_happensAtOnce() throws Exception {
    bus.publish("/a", "one");
    backend.goDown();

    bus.subscribe("/a", 0, m -> got.add(m.data()));
    time.runDue();
    assertThat(got).isEmpty();

    backend.comeBack(); // reported CONNECTED: the bus asks its background thread at once
    time.runDue(); // no time passes
    assertThat(got.poll()).isEqualTo("one");
    assertThat(bus.isListening()).isTrue();
  }
}
