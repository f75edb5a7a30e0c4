// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
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
 * The randomised life of a Server-Sent Events stream ({@code sseMinDuration}): streams opened
 * together end at different times between the minimum and {@code sseMaxDuration}, none before the
 * one and none after the other (plus one tick of the timeout wheel); with the two equal every
 * stream lasts exactly the maximum. The engine's ticker is a fake one that the test moves, over a
 * real Jetty: nothing waits for the minutes to pass, and each end is seen by the stream's reader.
 */
class SseLifetimeSpreadTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int STREAMS = 20;
  // One tick of the timeout wheel with the default long-polling interval (25 s / 64, at most
  // 250 ms) is how late an end may be; this is twice that.
  private static final Duration SLACK = Duration.ofMillis(500);

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  /** Opens the streams, each its own client id and connection, and waits until all are held. */
  private static List<CompletableFuture<HttpResponse<String>>> openStreams(ServerFixture f) {
    List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      HttpRequest get =
          HttpRequest.newBuilder(f.uri("/message-bus/s" + i + "/sse?%2Ffoo="))
              .header("Accept", "text/event-stream")
              .GET()
              .build();
      streams.add(f.http.sendAsync(get, HttpResponse.BodyHandlers.ofString()));
    }
    await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == STREAMS);
    return streams;
  }

  /**
   * Moves the ticker to {@code after} the streams opened, expires what is due, and waits until the
   * readers have seen the end of every stream the engine no longer holds. Returns how many it
   * holds.
   */
  private int expireAt(
      ServerFixture f,
      long start,
      Duration after,
      List<CompletableFuture<HttpResponse<String>>> streams) {
    HttpEngine engine = f.server.filter().engine();
    now.set(start + after.toNanos());
    engine.expireTimeouts();
    int held = engine.heldPolls();
    await()
        .atMost(WAIT)
        .until(() -> streams.stream().filter(CompletableFuture::isDone).count() == STREAMS - held);
    return held;
  }

  private static void assertEndedInGoodOrder(List<CompletableFuture<HttpResponse<String>>> streams)
      throws Exception {
    for (CompletableFuture<HttpResponse<String>> s : streams) {
      HttpResponse<String> r = s.get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("retry: ").doesNotContain("data:");
    }
  }

  @Test
  void streamsOpenedTogether_endAtDifferentTimes_betweenTheMinimumAndTheMaximumDuration()
      throws Exception {
    try (ServerFixture f =
        ServerFixture.start(HttpTransportOptions.builder().manualTicker(now::get))) {
      List<CompletableFuture<HttpResponse<String>>> streams = openStreams(f);
      long start = now.get(); // every end was drawn from this reading
      Duration min = Duration.ofMinutes(4); // the defaults: 4 to 5 minutes
      Duration max = Duration.ofMinutes(5);

      assertThat(expireAt(f, start, min.minusNanos(1), streams))
          .as("no stream ends before sseMinDuration")
          .isEqualTo(STREAMS);

      // Step through the spread 3 s at a time; note the steps at which streams ended.
      Set<Integer> endingSteps = new TreeSet<>();
      int held = STREAMS;
      for (int step = 0; step <= 20; step++) {
        int left = expireAt(f, start, min.plusSeconds(3L * step), streams);
        if (left < held) {
          endingSteps.add(step);
        }
        held = left;
      }
      assertThat(expireAt(f, start, max.plus(SLACK), streams))
          .as("every stream ended by sseMaxDuration and one tick")
          .isZero();
      // 20 uniform draws over 20 steps: they fall in fewer than 5 steps with probability < 1e-9.
      assertThat(endingSteps).as("the steps at which streams ended").hasSizeGreaterThanOrEqualTo(5);
      assertEndedInGoodOrder(streams);
    }
  }

  @Test
  void minimumEqualToTheMaximum_endsEveryStreamAtTheMaximum() throws Exception {
    Duration max = Duration.ofMinutes(2);
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .sseMaxDuration(max)
                .sseMinDuration(max)
                .manualTicker(now::get))) {
      List<CompletableFuture<HttpResponse<String>>> streams = openStreams(f);
      long start = now.get();

      assertThat(expireAt(f, start, max.minusNanos(1), streams)).isEqualTo(STREAMS);
      assertThat(expireAt(f, start, max.plus(SLACK), streams)).isZero();
      assertEndedInGoodOrder(streams);
    }
  }

  @Test
  void minimumDuration_defaultsToFourFifthsOfTheMaximum_andIsCheckedAgainstIt() {
    assertThat(HttpTransportOptions.builder().build().sseMinDuration())
        .isEqualTo(HttpTransportOptions.DEFAULT_SSE_MIN_DURATION)
        .isEqualTo(Duration.ofMinutes(4));
    assertThat(
            HttpTransportOptions.builder()
                .sseMaxDuration(Duration.ofSeconds(10))
                .build()
                .sseMinDuration())
        .isEqualTo(Duration.ofSeconds(8));
    assertThat(
            HttpTransportOptions.builder()
                .sseMinDuration(Duration.ofSeconds(30))
                .build()
                .sseMinDuration())
        .isEqualTo(Duration.ofSeconds(30));
    // Checked when built, whatever the order of the setters.
    assertThatThrownBy(
            () ->
                HttpTransportOptions.builder()
                    .sseMinDuration(Duration.ofMinutes(6))
                    .sseMaxDuration(Duration.ofMinutes(5))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "sseMinDuration (PT6M) must not be above sseMaxDuration (PT5M); equal to it, every"
                + " stream lasts exactly sseMaxDuration");
    assertThatThrownBy(() -> HttpTransportOptions.builder().sseMinDuration(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sseMinDuration");
  }
}
