// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The coarse timeout wheel of held polls, on a fake ticker: time moves only when the test advances
 * it, and expiry runs when the test asks ({@link TimeoutWheel#expireDue}), as the wheel's thread
 * does every tick.
 */
class TimeoutWheelTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final List<Client> expired = new ArrayList<>();

  private static Client client(String id) {
    return new Client(id, null, List.of(), null, 0, new LinkedHashMap<>(), null);
  }

  private TimeoutWheel wheel(Duration interval) {
    return new TimeoutWheel(interval, expired::add, now::get, false);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void armedTimeout_expiresOnlyOnceItsDeadlineAndTickPassed_once() {
    // 640 ms interval: 10 ms ticks.
    try (TimeoutWheel wheel = wheel(Duration.ofMillis(640))) {
      Client c = client("a");
      wheel.add(c, now.get() + Duration.ofMillis(100).toNanos());

      advance(Duration.ofMillis(99));
      wheel.expireDue();
      assertThat(expired).isEmpty();

      advance(Duration.ofMillis(1).plusNanos(wheel.tickNanos()));
      wheel.expireDue();
      assertThat(expired).containsExactly(c);

      advance(Duration.ofSeconds(30));
      wheel.expireDue();
      assertThat(expired).containsExactly(c);
    }
  }

  @Test
  void manyTimeouts_expireInDeadlineOrderOfTicks_atMostOneTickLate() {
    // 6.4 s interval: 100 ms ticks, so one turn of the wheel is 25.6 s.
    try (TimeoutWheel wheel = wheel(Duration.ofMillis(6400))) {
      long start = now.get();
      List<Client> clients = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        Client c = client("c" + i);
        clients.add(c);
        wheel.add(c, start + Duration.ofMillis(150L * i).toNanos());
      }
      for (int step = 0; step <= 40; step++) {
        int before = expired.size();
        advance(Duration.ofMillis(100));
        wheel.expireDue();
        long t = now.get();
        for (Client c : expired.subList(before, expired.size())) {
          assertThat(t - c.wheelDeadline).isBetween(0L, 2 * wheel.tickNanos());
        }
        for (Client c : clients) {
          if (c.wheelDeadline + 2 * wheel.tickNanos() <= t) {
            assertThat(expired).contains(c);
          }
        }
      }
      assertThat(expired).containsExactlyInAnyOrderElementsOf(clients);
    }
  }

  @Test
  void removedTimeout_neverExpires_whileOthersInTheSameBucketDo() {
    try (TimeoutWheel wheel = wheel(Duration.ofMillis(640))) {
      Client kept = client("kept");
      Client removed = client("removed");
      Client other = client("other");
      long deadline = now.get() + Duration.ofMillis(50).toNanos();
      wheel.add(kept, deadline);
      wheel.add(removed, deadline);
      wheel.add(other, deadline);

      wheel.remove(removed);
      wheel.remove(removed);
      advance(Duration.ofSeconds(1));
      wheel.expireDue();

      assertThat(expired).containsExactlyInAnyOrder(kept, other);
    }
  }

  @Test
  void deadlineBeyondOneTurnOfTheWheel_waitsForItsRound() {
    // 64 ms interval: 1 ms ticks, 256 buckets, so 400 ms is more than one turn.
    try (TimeoutWheel wheel = wheel(Duration.ofMillis(64))) {
      Client c = client("late");
      wheel.add(c, now.get() + Duration.ofMillis(400).toNanos());

      for (int ms = 0; ms < 399; ms++) {
        advance(Duration.ofMillis(1));
        wheel.expireDue();
      }
      assertThat(expired).isEmpty();

      advance(Duration.ofMillis(3));
      wheel.expireDue();
      assertThat(expired).containsExactly(c);
    }
  }

  @Test
  void deadlineInASlotAlreadyScanned_goesToTheNextScan_notAWholeTurnLater() {
    try (TimeoutWheel wheel = wheel(Duration.ofMillis(640))) {
      advance(Duration.ofMillis(500));
      wheel.expireDue();
      Client c = client("past");
      wheel.add(c, now.get() - Duration.ofMillis(200).toNanos());

      advance(Duration.ofNanos(wheel.tickNanos() * 2));
      wheel.expireDue();
      assertThat(expired).containsExactly(c);
    }
  }
}
