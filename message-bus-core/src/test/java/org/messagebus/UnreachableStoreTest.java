// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A store that cannot be read (Redis or PostgreSQL down, or a host that silently drops packets)
 * while its live stream still runs. Subscribing registers at once and never throws for the outage:
 * a subscription from now on receives what this process receives after the call; one from a
 * position catches up once the store answers; nothing twice, nothing out of order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnreachableStoreTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final FlakyBackend backend = new FlakyBackend();
  private final MessageBus bus =
      MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
  private final ExecutorService executor = Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() {
    CountDownLatch h = backend.hang;
    if (h != null) {
      h.countDown();
    }
    executor.shutdownNow();
    bus.close();
  }

  private static Object next(BlockingQueue<Object> queue) throws InterruptedException {
    Object o = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(o).as("nothing arrived within %s", WAIT).isNotNull();
    return o;
  }

  @Test
  void subscribingFromNow_whileTheStoreCannotBeRead_goesLive() throws Exception {
    BlockingQueue<Object> first = new LinkedBlockingQueue<>();
    bus.subscribe("/a", m -> first.add(m.data())); // the bus now listens
    bus.publish("/a", "before");
    assertThat(next(first)).isEqualTo("before");

    backend.down = true;
    BlockingQueue<Object> channel = new LinkedBlockingQueue<>();
    BlockingQueue<Object> all = new LinkedBlockingQueue<>();
    bus.subscribe("/a", m -> channel.add(m.data()));
    bus.subscribeAll(m -> all.add(m.data()));
    bus.publish("/a", "during");
    bus.publish("/a", "after");

    assertThat(next(channel)).isEqualTo("during");
    assertThat(next(channel)).isEqualTo("after");
    assertThat(next(all)).isEqualTo("during");
    assertThat(next(all)).isEqualTo("after");
    // nothing from before the subscription, nothing twice
    bus.publish("/a", "marker");
    assertThat(next(channel)).isEqualTo("marker");
    assertThat(channel).isEmpty();
  }

  /**
   * The defect that reverted the first attempt (commit 4141d4c): a subscription "from now on" made
   * while the store could not be read went live at once, so the message the dispatch thread was
   * delivering at that moment reached it.
   */
  @Test
  void subscribingFromNow_whileAMessageIsBeingDispatched_doesNotReceiveThatMessage()
      throws Exception {
    CountDownLatch inListener = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    bus.subscribe(
        "/a",
        m -> {
          if ("held".equals(m.data())) {
            inListener.countDown();
            try {
              release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    bus.publish("/a", "held");
    assertThat(inListener.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    // The dispatch thread is inside the delivery of "held" now.
    backend.down = true;
    BlockingQueue<Object> all = new LinkedBlockingQueue<>();
    BlockingQueue<Object> channel = new LinkedBlockingQueue<>();
    bus.subscribeAll(m -> all.add(m.data()));
    bus.subscribe("/a", m -> channel.add(m.data()));
    release.countDown();
    bus.publish("/a", "next");

    assertThat(next(all)).isEqualTo("next");
    assertThat(next(channel)).isEqualTo("next");
  }

  @Test
  void subscribingFromAPosition_whileTheStoreCannotBeRead_catchesUpOnceItAnswers()
      throws Exception {
    bus.subscribe("/a", m -> {});
    long one = bus.publish("/a", "one");
    bus.publish("/a", "two");
    bus.publish("/b", "elsewhere");

    backend.down = true;
    BlockingQueue<Object> fromOne = new LinkedBlockingQueue<>();
    BlockingQueue<Object> everything = new LinkedBlockingQueue<>();
    Subscription s = bus.subscribe("/a", one, m -> fromOne.add(m.data()));
    bus.subscribeAll(0, m -> everything.add(m.data()));
    assertThat(s.isActive()).isTrue();
    bus.publish("/a", "three"); // delivered live while the backlog cannot be read yet
    backend.down = false;

    assertThat(next(fromOne)).isEqualTo("two");
    assertThat(next(fromOne)).isEqualTo("three");
    List<Object> all = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      all.add(next(everything));
    }
    assertThat(all).containsExactly("one", "two", "elsewhere", "three");
    bus.publish("/a", "four");
    assertThat(next(fromOne)).isEqualTo("four");
    assertThat(next(everything)).isEqualTo("four");
    assertThat(fromOne).isEmpty();
    assertThat(everything).isEmpty();
  }

  @Test
  void subscribe_whileTheStoreHangs_holdsNoLockThatOtherCallsNeed() throws Exception {
    backend.hang = new CountDownLatch(1);
    BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    // The first subscription: the bus starts listening, which needs the store.
    Future<Subscription> subscribing =
        executor.submit(() -> bus.subscribe("/a", m -> inbox.add(m.data())));
    await().atMost(WAIT).until(() -> backend.hanging.get() > 0);

    assertTimeoutPreemptively(
        WAIT,
        () -> {
          assertThat(bus.isListening()).isFalse();
          assertThat(bus.isClosed()).isFalse();
        });
    backend.hang.countDown();
    subscribing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    await().atMost(WAIT).until(bus::isListening);
    bus.publish("/a", "x");
    assertThat(next(inbox)).isEqualTo("x");
  }

  @Test
  void subscribe_whileTheBackendReportsDisconnected_returnsWithoutTouchingTheStore()
      throws Exception {
    BlockingQueue<Object> first = new LinkedBlockingQueue<>();
    bus.subscribe("/a", m -> first.add(m.data()));
    bus.publish("/a", "before");
    assertThat(next(first)).isEqualTo("before");

    backend.goDown();
    CountDownLatch hang = new CountDownLatch(1);
    backend.hang = hang; // a store call would now block, as on a host that drops packets
    BlockingQueue<Object> now = new LinkedBlockingQueue<>();
    BlockingQueue<Object> fromZero = new LinkedBlockingQueue<>();
    assertTimeoutPreemptively(
        WAIT,
        () -> {
          bus.subscribe("/a", m -> now.add(m.data()));
          bus.subscribe("/a", 0, m -> fromZero.add(m.data()));
        });
    hang.countDown();
    backend.hang = null;
    backend.comeBack();
    bus.publish("/a", "after");

    assertThat(next(now)).isEqualTo("after");
    assertThat(next(fromZero)).isEqualTo("before");
    assertThat(next(fromZero)).isEqualTo("after");
    bus.publish("/a", "marker");
    assertThat(next(now)).isEqualTo("marker");
    assertThat(next(fromZero)).isEqualTo("marker");
    assertThat(now).isEmpty();
    assertThat(fromZero).isEmpty();
  }

  @Test
  void aBusWhoseStoreIsDownFromTheStart_buildsSubscribesAndListensOnceItIsBack() throws Exception {
    FlakyBackend down = new FlakyBackend();
    down.goDown();
    MessageBus late =
        MessageBus.builder()
            .backend(down)
            .keepaliveInterval(Duration.ZERO)
            .retryInterval(Duration.ofMillis(50))
            .build();
    try {
      late.publish("/a", "old"); // this test store accepts writes while it cannot be read
      BlockingQueue<Object> all = new LinkedBlockingQueue<>();
      BlockingQueue<Object> fromZero = new LinkedBlockingQueue<>();
      assertTimeoutPreemptively(
          WAIT,
          () -> {
            late.subscribeAll(m -> all.add(m.data()));
            late.subscribe("/a", 0, m -> fromZero.add(m.data()));
          });
      assertThat(late.isListening()).isFalse();
      assertThat(late.backendState()).isEqualTo(BackendState.DISCONNECTED);

      down.comeBack();
      await().atMost(WAIT).until(late::isListening);
      late.publish("/a", "new");

      assertThat(next(all)).isEqualTo("new");
      assertThat(next(fromZero)).isEqualTo("old");
      assertThat(next(fromZero)).isEqualTo("new");
      late.publish("/a", "marker");
      assertThat(next(all)).isEqualTo("marker");
      assertThat(next(fromZero)).isEqualTo("marker");
      assertThat(all).isEmpty();
      assertThat(fromZero).isEmpty();
    } finally {
      late.close();
    }
  }

  @Test
  void backendStateListeners_areToldTheCurrentStateThenEveryChangeInOrder() {
    List<String> seen = new CopyOnWriteArrayList<>();
    List<BackendState> removedSaw = new CopyOnWriteArrayList<>();
    BackendStateListener removed = (state, cause) -> removedSaw.add(state);
    bus.addBackendStateListener(
        (state, cause) -> {
          throw new IllegalStateException("a broken listener (test)");
        });
    bus.addBackendStateListener(
        (state, cause) -> seen.add(state + (cause == null ? "" : ": " + cause.getMessage())));
    bus.addBackendStateListener(removed);
    assertThat(bus.backendState()).isEqualTo(BackendState.UNKNOWN);
    bus.removeBackendStateListener(removed);

    backend.goDown();
    assertThat(bus.backendState()).isEqualTo(BackendState.DISCONNECTED);
    assertThat(bus.backendFailure())
        .get()
        .extracting(Throwable::getMessage)
        .isEqualTo("store unreachable (test)");
    backend.comeBack();

    assertThat(bus.backendState()).isEqualTo(BackendState.CONNECTED);
    assertThat(bus.backendFailure()).isEmpty();
    assertThat(seen)
        .containsExactly("UNKNOWN", "DISCONNECTED: store unreachable (test)", "CONNECTED");
    assertThat(removedSaw).containsExactly(BackendState.UNKNOWN);
  }

  @Test
  void aBackendThatDoesNotReport_isAlwaysConnected() {
    try (MessageBus memory = MessageBus.builder().keepaliveInterval(Duration.ZERO).build()) {
      List<BackendState> seen = new CopyOnWriteArrayList<>();
      memory.addBackendStateListener((state, cause) -> seen.add(state));
      assertThat(memory.backendState()).isEqualTo(BackendState.CONNECTED);
      assertThat(seen).containsExactly(BackendState.CONNECTED);
    }
  }
}
