// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.messagebus.Subscription;

/**
 * A poll that reads the store while the dispatch thread lags behind it must not receive, as a live
 * push, a message it already has (SPEC §5.1 "de-duplicate per client"), yet must still receive
 * messages whose ids restarted after a reset.
 */
class LaggingDispatchTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static HttpTransportOptions.Builder options() {
    return HttpTransportOptions.builder().longPollingInterval(Duration.ofSeconds(20));
  }

  /** Blocks the bus dispatch thread inside a listener of /foo until released. */
  private static final class Stall implements AutoCloseable {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final Subscription sub;

    Stall(ServerFixture f) {
      sub =
          f.bus.subscribe(
              "/foo",
              m -> {
                entered.countDown();
                try {
                  release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
    }

    void awaitStalled() throws InterruptedException {
      assertThat(entered.await(10, TimeUnit.SECONDS)).as("dispatch thread stalled").isTrue();
    }

    @Override
    public void close() {
      release.countDown();
      sub.unsubscribe();
    }
  }

  @Test
  void heldPoll_upToDate_doesNotGetTheLaggingPushOfWhatItHas() throws Exception {
    try (ServerFixture f = ServerFixture.start(options());
        Stall stall = new Stall(f)) {
      f.bus.publish("/foo", "one");
      stall.awaitStalled();
      // The poll reads position 1 from the store; the filter has not been told of message 1 yet.
      CompletableFuture<HttpResponse<String>> held =
          f.pollAsync("/message-bus/abc/poll", "/foo=1", "Dont-Chunk", "true");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);

      stall.release.countDown();
      f.bus.publish("/foo", "two");

      HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
      assertThat(ServerFixture.messages(r.body()))
          .extracting(m -> m.get("message_id"), m -> m.get("data"))
          .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "two"));
    }
  }

  @Test
  void streamedPoll_getsEachBacklogMessageOnce_whenTheDispatcherLags() throws Exception {
    try (ServerFixture f = ServerFixture.start(options());
        Stall stall = new Stall(f);
        RawConnection c = RawConnection.open(f.port())) {
      f.bus.publish("/foo", "one");
      stall.awaitStalled();
      f.bus.publish("/foo", "two");
      c.send(
          RawConnection.post(
              "/message-bus/abc/poll", "application/x-www-form-urlencoded", "/foo=0"));
      c.awaitContains("\"two\"", WAIT);

      stall.release.countDown();
      f.bus.publish("/foo", "three");

      String text = c.awaitContains("\"three\"", WAIT);
      assertThat(count(text, "\"one\"")).isEqualTo(1);
      assertThat(count(text, "\"two\"")).isEqualTo(1);
    }
  }

  @Test
  void heldPoll_getsRestartedIds_afterABackendReset() throws Exception {
    try (ServerFixture f = ServerFixture.start(options())) {
      f.bus.publish("/foo", "one");
      f.bus.publish("/foo", "two");
      CompletableFuture<HttpResponse<String>> held =
          f.pollAsync("/message-bus/abc/poll", "/foo=2", "Dont-Chunk", "true");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);

      f.bus.reset();
      f.bus.publish("/foo", "after reset");

      HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
      List<Map<String, Object>> got = ServerFixture.messages(r.body());
      assertThat(got).extracting(m -> m.get("data")).containsExactly("after reset");
      assertThat(got.get(0).get("message_id")).isEqualTo(1);
    }
  }

  private static int count(String text, String fragment) {
    int n = 0;
    for (int i = text.indexOf(fragment); i >= 0; i = text.indexOf(fragment, i + 1)) {
      n++;
    }
    return n;
  }
}
