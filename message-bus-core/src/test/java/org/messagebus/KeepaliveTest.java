// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The keepalive on the bus's clock and scheduler (SPEC §2.6): the test moves time with a {@link
 * ManualScheduler}, so ticks happen exactly when it says and nothing waits on the wall clock. The
 * only waits are for a keepalive message to arrive on the memory backend's delivery thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeepaliveTest {

  private static final Duration INTERVAL = Duration.ofSeconds(60);

  private final ManualScheduler time = new ManualScheduler();
  private final FlakyBackend backend = new FlakyBackend();
  private final List<Duration> missed = new CopyOnWriteArrayList<>();
  private final List<Throwable> backgroundErrors = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Message> keepalives = new LinkedBlockingQueue<>();
  private final MessageBus bus =
      MessageBus.builder()
          .backend(backend)
          .clock(time.clock())
          .scheduler(time)
          .keepaliveInterval(INTERVAL)
          .errorListener(
              new ErrorListener() {
                @Override
                public void onKeepaliveMissed(Duration silence) {
                  missed.add(silence);
                }

                @Override
                public void onBackgroundError(Throwable error) {
                  backgroundErrors.add(error);
                }
              })
          .build();

  @AfterEach
  void tearDown() {
    bus.close();
  }

  /** Subscribes to the keepalive channel and lets the background thread start listening. */
  private void listen() {
    bus.subscribe(MessageBus.KEEPALIVE_CHANNEL, keepalives::add);
    time.runDue(); // the background work: the firehose starts, the keepalive is scheduled
    assertThat(bus.isListening()).isTrue();
  }

  private Message nextKeepalive() throws InterruptedException {
    Message m = keepalives.poll(10, TimeUnit.SECONDS);
    assertThat(m).as("a keepalive delivered").isNotNull();
    return m;
  }

  @Test
  void keepalive_publishesEveryIntervalOnTheBusScheduler() throws Exception {
    listen();

    time.advance(INTERVAL.minusNanos(1));
    assertThat(bus.lastId(MessageBus.KEEPALIVE_CHANNEL)).isZero(); // not published yet

    time.advance(Duration.ofNanos(1));
    assertThat(bus.lastId(MessageBus.KEEPALIVE_CHANNEL)).isEqualTo(1);
    Message first = nextKeepalive();
    assertThat(first.channel()).isEqualTo(MessageBus.KEEPALIVE_CHANNEL);
    assertThat(first.data()).isEqualTo(ProcessHandle.current().pid());
    assertThat(first.userIds()).containsExactly(-1L);

    time.advance(INTERVAL);
    assertThat(nextKeepalive().globalId()).isGreaterThan(first.globalId());
    assertThat(bus.isHealthy()).isTrue();
    assertThat(missed).isEmpty();
  }

  @Test
  void keepalive_missedForMoreThanThreeIntervals_isUnhealthy_andTheNextMessageHeals()
      throws Exception {
    listen();
    time.advance(INTERVAL); // t = 60 s: published, and received (stamped t = 60 s)
    nextKeepalive();

    backend.muted = true; // the subscription breaks silently: nothing arrives any more
    time.advance(INTERVAL.multipliedBy(3)); // ticks at 120, 180, 240: silence 60, 120, 180 s
    assertThat(bus.isHealthy()).as("exactly three intervals of silence is not too long").isTrue();
    assertThat(missed).isEmpty();

    time.advance(INTERVAL); // t = 300 s: 240 s of silence
    assertThat(bus.isHealthy()).isFalse();
    assertThat(missed).containsExactly(Duration.ofSeconds(240));

    backend.muted = false; // the subscription recovers
    time.advance(INTERVAL); // t = 360 s: checks first (300 s of silence), then publishes
    assertThat(missed).containsExactly(Duration.ofSeconds(240), Duration.ofSeconds(300));
    nextKeepalive(); // received: healthy again at once, without waiting for a tick
    assertThat(bus.isHealthy()).isTrue();

    time.advance(INTERVAL); // t = 420 s: 60 s since the last message
    nextKeepalive();
    assertThat(bus.isHealthy()).isTrue();
    assertThat(missed).hasSize(2);
    assertThat(backgroundErrors).isEmpty();
  }

  @Test
  void keepalive_silenceCountsFromWhenListeningStarted() throws Exception {
    time.advance(Duration.ofHours(1)); // a bus idle for an hour before its first subscription
    backend.muted = true;
    listen();

    time.advance(INTERVAL.multipliedBy(3));
    assertThat(bus.isHealthy()).isTrue();
    time.advance(INTERVAL);
    assertThat(bus.isHealthy()).isFalse();
    assertThat(missed).containsExactly(Duration.ofSeconds(240));
  }

  @Test
  void keepalive_disabled_schedulesNothingAndStaysHealthy() throws Exception {
    ManualScheduler quiet = new ManualScheduler();
    try (MessageBus disabled =
        MessageBus.builder()
            .clock(quiet.clock())
            .scheduler(quiet)
            .keepaliveInterval(Duration.ZERO)
            .build()) {
      disabled.subscribeAll(m -> {});
      quiet.runDue();
      assertThat(disabled.isListening()).isTrue();
      assertThat(quiet.queued()).isZero();

      quiet.advance(Duration.ofDays(1));
      assertThat(disabled.isHealthy()).isTrue();
      assertThat(disabled.lastId(MessageBus.KEEPALIVE_CHANNEL)).isZero();
    }
  }

  @Test
  void close_cancelsTheKeepalive() throws Exception {
    listen();

    bus.close();
    time.advance(INTERVAL.multipliedBy(10));

    assertThat(keepalives).isEmpty();
    assertThat(missed).isEmpty();
    assertThat(time.queued()).isZero();
  }
}
