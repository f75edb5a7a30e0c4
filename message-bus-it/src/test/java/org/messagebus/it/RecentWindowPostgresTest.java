// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.MessageIdScheme;
import org.messagebus.spi.Retention;

/**
 * The recent-message window on the real PostgreSQL (global message ids): a poll at the current
 * position and a poll a few messages behind are answered without a read of the table, a position
 * ahead of what the process saw still reads it, and every message arrives once. Reads are counted
 * by a backend that wraps {@link PostgresBackend} and passes everything on. Its own table ({@value
 * #PREFIX}message_bus, dropped afterwards) and notification channel.
 */
class RecentWindowPostgresTest {

  private static final String PREFIX = "recent_window_it_";
  private static final Duration WAIT = RecentWindowServer.WAIT;

  /** Passes everything to the real backend and counts the reads a poll can make. */
  static final class Counting implements Backend {
    final Backend delegate;
    final AtomicInteger reads = new AtomicInteger();

    Counting(Backend delegate) {
      this.delegate = delegate;
    }

    @Override
    public MessageIdScheme messageIdScheme() {
      return delegate.messageIdScheme();
    }

    @Override
    public long publish(String channel, String payload, BackendPublishOptions options) {
      return delegate.publish(channel, payload, options);
    }

    @Override
    public long lastId(String channel) {
      reads.incrementAndGet();
      return delegate.lastId(channel);
    }

    @Override
    public long[] lastIds(List<String> channels) {
      reads.incrementAndGet();
      return delegate.lastIds(channels);
    }

    @Override
    public long lastGlobalId() {
      return delegate.lastGlobalId();
    }

    @Override
    public List<BackendMessage> backlog(String channel, long lastId) {
      reads.incrementAndGet();
      return delegate.backlog(channel, lastId);
    }

    @Override
    public List<BackendMessage> globalBacklog(long lastGlobalId) {
      return delegate.globalBacklog(lastGlobalId);
    }

    @Override
    public BackendMessage getMessage(String channel, long messageId) {
      return delegate.getMessage(channel, messageId);
    }

    @Override
    public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
      return delegate.globalSubscribe(lastGlobalId, listener);
    }

    @Override
    public void reset() {
      delegate.reset();
    }

    @Override
    public void expireAllBacklogs() {
      delegate.expireAllBacklogs();
    }

    @Override
    public Retention retention() {
      return delegate.retention();
    }

    @Override
    public void stateListener(org.messagebus.BackendStateListener listener) {
      delegate.stateListener(listener);
    }

    @Override
    public void reconnect() {
      delegate.reconnect();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private RecentWindowServer served;
  private Counting backend;

  @BeforeEach
  void start() throws Exception {
    served =
        RecentWindowServer.onPostgres(
            PREFIX, "recent_window_it", postgres -> backend = new Counting(postgres));
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

    int before = backend.reads.get();
    HttpResponse<String> behind =
        served.longPoll("c1", "/a=" + first).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(behind.body()).contains("\"two\"").doesNotContain("\"one\"");
    assertThat(backend.reads.get() - before).as("a poll behind, within the window").isZero();

    CompletableFuture<HttpResponse<String>> current = served.longPoll("c2", "/a=" + second);
    served.awaitHeld(1);
    assertThat(backend.reads.get() - before).as("a poll at the current position").isZero();
    publish("/a", "three");
    String live = current.get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
    assertThat(live).contains("\"three\"").doesNotContain("\"two\"");
    assertThat(backend.reads.get() - before).as("the push asked nothing either").isZero();

    HttpResponse<String> ahead =
        served.longPoll("c3", "/a=" + (second + 1_000)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(backend.reads.get() - before).as("ahead of what this process saw").isPositive();
    assertThat(ahead.body()).contains("/__status");
  }
}
