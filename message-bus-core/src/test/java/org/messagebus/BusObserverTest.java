// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.cache.DistributedCache;
import org.messagebus.cache.DistributedCacheManager;
import org.messagebus.observe.BusObserver;
import org.messagebus.observe.ObserverRegistration;
import org.messagebus.observe.PublishOutcome;

/** The observation hook: each event reaches the observers once, and nothing without them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BusObserverTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FlakyBackend backend = new FlakyBackend();
  private final MessageBus bus =
      MessageBus.builder()
          .backend(backend)
          .keepaliveInterval(Duration.ZERO)
          .dispatchLagSampleInterval(Duration.ZERO) // every own publish: exact lag counts
          .publishTimingSampleInterval(Duration.ZERO) // every publish timed
          .build();

  @AfterEach
  void tearDown() {
    bus.close();
  }

  /** Records every event. */
  static final class Recorder implements BusObserver {
    final List<PublishOutcome> published = new CopyOnWriteArrayList<>();
    final List<Long> publishNanos = new CopyOnWriteArrayList<>();
    final AtomicInteger dispatched = new AtomicInteger();
    final BlockingQueue<Long> lags = new LinkedBlockingQueue<>();
    final AtomicInteger listenerFailures = new AtomicInteger();
    final AtomicInteger hits = new AtomicInteger();
    final AtomicInteger misses = new AtomicInteger();
    final AtomicInteger remoteChanges = new AtomicInteger();
    final AtomicInteger caughtUp = new AtomicInteger();
    final AtomicInteger dropped = new AtomicInteger();
    final AtomicInteger largePayloads = new AtomicInteger();

    @Override
    public void backendCatchUp(int messages) {
      caughtUp.addAndGet(messages);
    }

    @Override
    public void publishDropped() {
      dropped.incrementAndGet();
    }

    @Override
    public void largePayloadFetched() {
      largePayloads.incrementAndGet();
    }

    @Override
    public void published(PublishOutcome outcome, long nanos) {
      publishNanos.add(nanos);
      published.add(outcome);
    }

    @Override
    public void dispatched() {
      dispatched.incrementAndGet();
    }

    @Override
    public void dispatchLag(long nanos) {
      lags.add(nanos);
    }

    @Override
    public void listenerFailed() {
      listenerFailures.incrementAndGet();
    }

    @Override
    public void cacheRead(boolean hit) {
      (hit ? hits : misses).incrementAndGet();
    }

    @Override
    public void cacheRemoteChange() {
      remoteChanges.incrementAndGet();
    }
  }

  @Test
  void withoutObservers_theBusReportsToNoop() {
    assertThat(bus.observer()).isSameAs(BusObserver.NOOP);
    bus.publish("/a", 1); // no observer, nothing to tell: must not fail
    ObserverRegistration r = bus.observe(new Recorder());
    assertThat(bus.observer()).isNotSameAs(BusObserver.NOOP);
    r.close();
    r.close(); // idempotent
    assertThat(bus.observer()).isSameAs(BusObserver.NOOP);
  }

  @Test
  void publishes_areReportedWithTheirOutcome() {
    Recorder r = new Recorder();
    bus.observe(r);
    bus.publish("/a", 1);
    bus.publish("/a", 2);
    backend.failPublish = true;
    assertThatThrownBy(() -> bus.publish("/a", 3)).isInstanceOf(BackendException.class);
    backend.failPublish = false;
    backend.queuePublish = true;
    assertThat(bus.publish("/a", 4)).isEqualTo(MessageBus.NO_ID);
    backend.queuePublish = false;
    bus.off(true);
    bus.publish("/a", 5);
    bus.on();
    assertThat(r.published)
        .containsExactly(
            PublishOutcome.OK,
            PublishOutcome.OK,
            PublishOutcome.FAILED,
            PublishOutcome.QUEUED,
            PublishOutcome.DISABLED);
    // every one timed (the interval is zero here); the disabled one took no backend time
    assertThat(r.publishNanos.subList(0, 4)).allSatisfy(n -> assertThat(n).isNotNegative());
    assertThat(r.publishNanos.get(4)).isZero();
  }

  @Test
  void byDefault_fastPublishesAreEachCounted_andTimedOnASample() {
    try (MessageBus sampled = MessageBus.builder().keepaliveInterval(Duration.ZERO).build()) {
      Recorder r = new Recorder();
      sampled.observe(r);
      for (int i = 0; i < 5_000; i++) {
        sampled.publish("/a", i);
      }
      assertThat(r.published).hasSize(5_000).containsOnly(PublishOutcome.OK);
      List<Long> timed = r.publishNanos.stream().filter(n -> n != BusObserver.UNTIMED).toList();
      // The first is always timed; 5,000 in-memory publishes come far faster than one per ms.
      assertThat(r.publishNanos.get(0)).isNotNegative();
      assertThat(timed).allSatisfy(n -> assertThat(n).isNotNegative());
      assertThat(timed.size()).isBetween(1, 4_999);
    }
  }

  @Test
  void aNegativePublishTimingSampleInterval_isRefused() {
    assertThatThrownBy(
            () -> MessageBus.builder().publishTimingSampleInterval(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("publishTimingSampleInterval");
  }

  @Test
  void ownPublishes_reportTheirDispatchLag_onceEach() throws Exception {
    Recorder r = new Recorder();
    bus.observe(r);
    BlockingQueue<Object> got = new LinkedBlockingQueue<>();
    bus.subscribe("/a", m -> got.add(m.data()));
    await().atMost(WAIT).until(bus::isListening);
    for (int i = 0; i < 20; i++) {
      bus.publish("/a", "m" + i);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("m" + i);
    }
    await().atMost(WAIT).until(() -> r.lags.size() == 20);
    assertThat(r.lags).allSatisfy(nanos -> assertThat(nanos).isNotNegative());
    assertThat(r.dispatched.get()).isEqualTo(20);
    // another process's message is dispatched but has no lag here
    backend.store.publish(
        "/a", "{\"data\":\"other\"}", org.messagebus.spi.BackendPublishOptions.NONE);
    assertThat(got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("other");
    assertThat(r.dispatched.get()).isEqualTo(21);
    assertThat(r.lags).hasSize(20);
  }

  @Test
  void byDefault_theLagIsSampled_theFirstOwnPublishAlwaysMeasured() throws Exception {
    try (MessageBus sampled = MessageBus.builder().keepaliveInterval(Duration.ZERO).build()) {
      Recorder r = new Recorder();
      sampled.observe(r);
      BlockingQueue<Object> got = new LinkedBlockingQueue<>();
      sampled.subscribe("/a", m -> got.add(m.data()));
      await().atMost(WAIT).until(sampled::isListening);
      for (int i = 0; i < 200; i++) {
        sampled.publish("/a", "m" + i);
      }
      for (int i = 0; i < 200; i++) {
        assertThat(got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("m" + i);
      }
      // Every publish has returned and every message was dispatched: the lags are all told.
      assertThat(r.dispatched.get()).isEqualTo(200);
      assertThat(r.published).hasSize(200); // publishes are counted, every one
      assertThat(r.lags).isNotEmpty().hasSizeLessThanOrEqualTo(200);
      assertThat(r.lags).allSatisfy(nanos -> assertThat(nanos).isNotNegative());
    }
  }

  @Test
  void aNegativeLagSampleInterval_isRefused() {
    assertThatThrownBy(() -> MessageBus.builder().dispatchLagSampleInterval(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dispatchLagSampleInterval");
  }

  @Test
  void aListenerFailure_isReported_andSubscriptionsAreCounted() throws Exception {
    Recorder r = new Recorder();
    bus.observe(r);
    BlockingQueue<Object> got = new LinkedBlockingQueue<>();
    Subscription failing =
        bus.subscribe(
            "/a",
            m -> {
              throw new IllegalStateException("listener failure (test)");
            });
    Subscription ok = bus.subscribe("/a", m -> got.add(m.data()));
    assertThat(bus.subscriptionCount()).isEqualTo(2);
    bus.publish("/a", "x");
    assertThat(got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("x");
    assertThat(r.listenerFailures.get()).isEqualTo(1);
    failing.unsubscribe();
    failing.unsubscribe();
    assertThat(bus.subscriptionCount()).isEqualTo(1);
    ok.unsubscribe();
    assertThat(bus.subscriptionCount()).isZero();
  }

  @Test
  void severalObservers_eachHearEverything_andAFailingOneDisturbsNothing() {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    bus.observe(a);
    bus.observe(
        new BusObserver() {
          @Override
          public void published(PublishOutcome outcome, long nanos) {
            throw new IllegalStateException("observer failure (test)");
          }
        });
    ObserverRegistration rb = bus.observe(b);
    bus.publish("/a", 1);
    bus.publish("/a", 2);
    rb.close();
    bus.publish("/a", 3);
    assertThat(a.published).hasSize(3);
    assertThat(b.published).hasSize(2);
  }

  @Test
  void backendEvents_reachTheObserversOfTheMoment_throughWhatTheBackendKeeps() {
    org.messagebus.observe.BusObserver kept = backend.observer;
    assertThat(kept).as("the bus hands its backend an observer").isNotNull();
    kept.backendCatchUp(5); // no observer yet: nothing to tell
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    bus.observe(a);
    bus.observe(b);
    bus.observe(
        new BusObserver() {
          @Override
          public void backendCatchUp(int messages) {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void publishDropped() {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void largePayloadFetched() {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void dispatched() {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void dispatchLag(long nanos) {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void listenerFailed() {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void cacheRead(boolean hit) {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void cacheRemoteChange() {
            throw new IllegalStateException("observer failure (test)");
          }
        });
    kept.backendCatchUp(3);
    kept.publishDropped();
    kept.largePayloadFetched();
    kept.published(PublishOutcome.OK, 1);
    kept.dispatched();
    kept.dispatchLag(1);
    kept.listenerFailed();
    kept.cacheRead(true);
    kept.cacheRemoteChange();
    for (Recorder r : List.of(a, b)) {
      assertThat(r.caughtUp.get()).isEqualTo(3);
      assertThat(r.dropped.get()).isEqualTo(1);
      assertThat(r.largePayloads.get()).isEqualTo(1);
      assertThat(r.published).containsExactly(PublishOutcome.OK);
      assertThat(r.dispatched.get()).isEqualTo(1);
      assertThat(r.lags).containsExactly(1L);
      assertThat(r.listenerFailures.get()).isEqualTo(1);
      assertThat(r.hits.get()).isEqualTo(1);
      assertThat(r.remoteChanges.get()).isEqualTo(1);
    }
  }

  @Test
  void cacheReadsAndRemoteChanges_areReported() throws Exception {
    Recorder r = new Recorder();
    bus.observe(r);
    DistributedCacheManager one = DistributedCacheManager.builder(bus).build();
    DistributedCacheManager two = DistributedCacheManager.builder(bus).build();
    try {
      DistributedCache a = one.cache("metrics");
      DistributedCache b = two.cache("metrics");
      a.put("k", "v");
      await().atMost(WAIT).until(() -> b.snapshot().containsKey("k"));
      assertThat(r.remoteChanges.get()).isEqualTo(1); // b applied a's set; a ignores its own
      assertThat(b.get("k")).isEqualTo("v");
      assertThat(b.get("missing")).isNull();
      assertThat(r.hits.get()).isEqualTo(1);
      assertThat(r.misses.get()).isEqualTo(1);
    } finally {
      one.close();
      two.close();
    }
  }
}
