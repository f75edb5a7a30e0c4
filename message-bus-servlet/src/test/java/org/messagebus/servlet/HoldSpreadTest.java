// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.messagebus.http.HttpEngine;

/**
 * The randomised hold ({@code longPollingMinHold}): held polls that started together end at
 * different times between the minimum hold and the interval, never before the stock client's 15 s;
 * with an interval below that floor every poll is held exactly the interval. The engine's ticker is
 * a fake one that the test moves, over a real Jetty: nothing waits for the seconds to pass.
 */
class HoldSpreadTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int POLLS = 20;

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  /** Half long polls (Dont-Chunk), half streams, each its own client id and connection. */
  private static List<CompletableFuture<HttpResponse<String>>> holdPolls(ServerFixture f) {
    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
    for (int i = 0; i < POLLS; i++) {
      String path = "/message-bus/c" + i + "/poll";
      polls.add(
          i % 2 == 0
              ? f.pollAsync(path, "/foo=", "Dont-Chunk", "true")
              : f.pollAsync(path, "/foo="));
    }
    await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == POLLS);
    return polls;
  }

  private int expireAt(HttpEngine engine, long start, Duration after) {
    now.set(start + after.toNanos());
    engine.expireTimeouts();
    return engine.heldPolls();
  }

  private static void assertAnsweredEmpty(List<CompletableFuture<HttpResponse<String>>> polls)
      throws Exception {
    for (CompletableFuture<HttpResponse<String>> p : polls) {
      HttpResponse<String> r = p.get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("[]");
    }
  }

  @Test
  void pollsHeldTogether_endAtDifferentTimes_betweenTheMinimumHoldAndTheInterval()
      throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .longPollingInterval(Duration.ofSeconds(25))
                .manualTicker(now::get))) {
      HttpEngine engine = f.server.filter().engine();
      List<CompletableFuture<HttpResponse<String>>> polls = holdPolls(f);
      long start = now.get(); // every deadline was drawn from this reading

      assertThat(expireAt(engine, start, Duration.ofSeconds(15).minusNanos(1)))
          .as("no poll ends before the 15 s floor")
          .isEqualTo(POLLS);
      assertThat(polls).noneMatch(CompletableFuture::isDone);

      // Step through the spread half a second at a time; note the steps at which polls ended.
      Set<Integer> endingSteps = new TreeSet<>();
      int held = POLLS;
      for (int step = 0; step <= 20; step++) {
        int left = expireAt(engine, start, Duration.ofSeconds(15).plusMillis(500L * step));
        if (left < held) {
          endingSteps.add(step);
        }
        held = left;
      }
      // Every poll is answered by the interval plus one tick of the wheel (250 ms here).
      assertThat(expireAt(engine, start, Duration.ofMillis(25_250))).isZero();
      // 20 uniform draws over 20 steps: they fall in fewer than 5 steps with probability < 1e-9.
      assertThat(endingSteps).as("the steps at which polls ended").hasSizeGreaterThanOrEqualTo(5);
      assertAnsweredEmpty(polls);
    }
  }

  @Test
  void intervalBelowTheFloor_holdsEveryPollExactlyTheInterval() throws Exception {
    Duration interval = Duration.ofSeconds(2);
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder().longPollingInterval(interval).manualTicker(now::get))) {
      HttpEngine engine = f.server.filter().engine();
      List<CompletableFuture<HttpResponse<String>>> polls = holdPolls(f);
      long start = now.get();

      assertThat(expireAt(engine, start, interval.minusNanos(1))).isEqualTo(POLLS);
      // One tick of the wheel (interval / 64) later, all of them at once.
      assertThat(expireAt(engine, start, interval.plusMillis(100))).isZero();
      assertAnsweredEmpty(polls);
    }
  }

  @Test
  void minimumHold_defaultsToTheFloor_andRefusesLess() {
    assertThat(HttpTransportOptions.builder().build().longPollingMinHold())
        .isEqualTo(Duration.ofSeconds(15));
    assertThatThrownBy(
            () -> HttpTransportOptions.builder().longPollingMinHold(Duration.ofSeconds(14)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 15s");
  }
}
