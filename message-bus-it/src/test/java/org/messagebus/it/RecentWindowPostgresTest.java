// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.testkit.ReadCountingBackend;

/**
 * The recent-message window on the real PostgreSQL (global message ids): a poll at the current
 * position and a poll a few messages behind are answered without a read of the table, a position
 * ahead of what the process saw still reads it, and every message arrives once. Reads are counted
 * by a backend that wraps {@link PostgresBackend} and passes everything on, its message numbering
 * too (the testkit's {@link ReadCountingBackend}). Its own table ({@value #PREFIX}message_bus,
 * dropped afterwards) and notification channel.
 */
class RecentWindowPostgresTest {

  private static final String PREFIX = "recent_window_it_";
  private static final Duration WAIT = RecentWindowServer.WAIT;

  private RecentWindowServer served;
  private ReadCountingBackend backend;

  @BeforeEach
  void start() throws Exception {
    served =
        RecentWindowServer.onPostgres(
            PREFIX,
            "recent_window_it",
            postgres -> backend = new ReadCountingBackend(postgres, postgres.messageIdScheme()));
  }

  @AfterEach
  void stop() throws Exception {
    if (served != null) {
      served.close();
    }
  }

  private long publish(String channel, String data) throws InterruptedException {
    long id = served.bus().publish(channel, data);
    served.awaitDispatchedUpTo(id);
    return id;
  }

  @Test
  void currentAndRecentPolls_readNothing_aheadReadsTheTable_andEveryMessageArrivesOnce()
      throws Exception {
    long first = publish("/a", "one");
    publish("/b", "other channel"); // global ids: /a's ids have holes
    long second = publish("/a", "two");

    int before = backend.reads();
    HttpResponse<String> behind =
        served.longPoll("c1", "/a=" + first).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(behind.body()).contains("\"two\"").doesNotContain("\"one\"");
    assertThat(backend.reads() - before).as("a poll behind, within the window").isZero();

    CompletableFuture<HttpResponse<String>> current = served.longPoll("c2", "/a=" + second);
    served.awaitHeld(1);
    assertThat(backend.reads() - before).as("a poll at the current position").isZero();
    publish("/a", "three");
    String live = current.get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
    assertThat(live).contains("\"three\"").doesNotContain("\"two\"");
    assertThat(backend.reads() - before).as("the push asked nothing either").isZero();

    HttpResponse<String> ahead =
        served.longPoll("c3", "/a=" + (second + 1_000)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(backend.reads() - before).as("ahead of what this process saw").isPositive();
    assertThat(ahead.body()).contains("/__status");
  }
}
