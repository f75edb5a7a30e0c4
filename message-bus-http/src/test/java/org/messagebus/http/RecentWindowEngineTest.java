// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.MessageIdScheme;
import org.messagebus.testkit.ReadCountingBackend;

/**
 * The engine with its recent-message window on a memory store that counts the reads polls make:
 * which polls are answered without the store, which still ask it, and that the answers are the same
 * either way. No socket, no wall clock: the firehose's delivery is awaited through a listener
 * registered after the engine's (the dispatch thread calls them in that order).
 */
class RecentWindowEngineTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private ReadCountingBackend backend = counting(MessageIdScheme.GLOBAL);
  private @Nullable MessageBus bus;
  private @Nullable HttpEngine engine;
  private final BlockingQueue<Message> seen = new LinkedBlockingQueue<>();

  /** A memory store that counts the channel reads a poll can make. */
  private static ReadCountingBackend counting(MessageIdScheme scheme) {
    return new ReadCountingBackend(MemoryBackend.create(), scheme);
  }

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
    if (bus != null) {
      bus.close();
    }
  }

  private HttpEngine start(Consumer<EngineOptions.Builder> options) throws Exception {
    bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    EngineOptions.Builder b =
        EngineOptions.builder()
            .longPollingInterval(Duration.ofSeconds(25))
            .ticker(now::get)
            .timerThread(false)
            .recentWindowMessages(4);
    options.accept(b);
    engine = new HttpEngine(bus, b.build());
    // Registered after the engine's: once it has a message, the engine's window has it too.
    bus.subscribeAll(seen::add);
    // The firehose starts in the background: wait until it delivers.
    long probe = bus.publish("/probe", "p");
    awaitDispatched(probe);
    return engine;
  }

  private long publish(String channel, String data) throws Exception {
    long id = bus().publish(channel, data);
    awaitDispatched(id);
    return id;
  }

  private void awaitDispatched(long globalId) throws InterruptedException {
    while (true) {
      Message m = seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("message %d dispatched", globalId).isNotNull();
      if (m.globalId() >= globalId) {
        return;
      }
    }
  }

  private MessageBus bus() {
    assertThat(bus).isNotNull();
    return bus;
  }

  private static FakeExchange poll(HttpEngine e, String clientId, String form, boolean stream) {
    FakeExchange x = FakeExchange.post(form);
    if (!stream) {
      x.withHeader("Dont-Chunk", "true");
    }
    assertThat(e.handle(x, "/message-bus/" + clientId + "/poll", null)).isTrue();
    return x;
  }

  @Test
  void pollAtTheCurrentPosition_isHeld_withoutAStoreRead() throws Exception {
    HttpEngine e = start(b -> {});
    long last = publish("/a", "one");
    int before = backend.reads();

    FakeExchange x = poll(e, "c", "/a=" + last, false);

    assertThat(x.isHeld()).isTrue();
    assertThat(backend.reads() - before).isZero();
    publish("/a", "two");
    x.awaitEnd(WAIT);
    assertThat(x.body()).contains("\"two\"").doesNotContain("\"one\"");
  }

  @Test
  void pollAFewMessagesBehind_isAnsweredFromTheWindow_withoutAStoreRead() throws Exception {
    HttpEngine e = start(b -> {});
    long first = publish("/a", "one");
    publish("/a", "two");
    publish("/a", "three");
    int before = backend.reads();

    FakeExchange x = poll(e, "c", "/a=" + first, false);

    assertThat(x.ended()).isTrue();
    assertThat(backend.reads() - before).isZero();
    assertThat(x.body()).contains("\"two\"").contains("\"three\"").doesNotContain("\"one\"");
  }

  @Test
  void streamsBacklogWithinTheWindow_comesWithoutAStoreRead() throws Exception {
    HttpEngine e = start(b -> {});
    long first = publish("/a", "one");
    publish("/a", "two");
    int before = backend.reads();

    FakeExchange x = poll(e, "c", "/a=" + first, true);

    assertThat(x.isHeld()).isTrue();
    assertThat(x.body()).contains("\"two\"").doesNotContain("\"one\"");
    assertThat(backend.reads() - before).isZero();
  }

  @Test
  void coldChannel_olderPosition_aheadPosition_andMinusOne_askTheStore() throws Exception {
    HttpEngine e = start(b -> {});
    long first = publish("/a", "m1");
    for (int i = 2; i <= 6; i++) {
      publish("/a", "m" + i); // 5 after the first: the window holds 4
    }
    long last = bus().lastId("/a");

    int before = backend.reads();
    FakeExchange older = poll(e, "c1", "/a=" + first, false);
    assertThat(backend.reads()).as("older than the window").isGreaterThan(before);
    assertThat(older.body()).contains("\"m2\"").contains("\"m6\"");

    before = backend.reads();
    FakeExchange cold = poll(e, "c2", "/cold=0", false);
    assertThat(backend.reads()).as("cold").isGreaterThan(before);
    assertThat(cold.isHeld()).isTrue();

    before = backend.reads();
    FakeExchange ahead = poll(e, "c3", "/a=" + (last + 100), false);
    assertThat(backend.reads()).as("ahead of what was seen").isGreaterThan(before);
    assertThat(ahead.body()).contains("/__status").contains("\"/a\":" + last);

    before = backend.reads();
    FakeExchange status = poll(e, "c4", "/a=-1", false);
    assertThat(backend.reads()).as("-1").isGreaterThan(before);
    assertThat(status.body()).contains("\"/a\":" + last);
  }

  @Test
  void withheldMessageInTheWindow_givesAStatusAtTheNewestId() throws Exception {
    HttpEngine e = start(b -> {});
    long first = publish("/a", "open");
    long secret =
        bus().publish("/a", "secret", org.messagebus.PublishOptions.builder().userIds(42).build());
    awaitDispatched(secret);
    int before = backend.reads();

    FakeExchange x = poll(e, "c", "/a=" + first, false);

    assertThat(backend.reads() - before).isZero();
    assertThat(x.body()).doesNotContain("secret").contains("\"/a\":" + secret);
  }

  @Test
  void windowOff_everyPollAsksTheStore() throws Exception {
    HttpEngine e = start(b -> b.recentWindowMessages(0));
    long last = publish("/a", "one");
    int before = backend.reads();

    poll(e, "c", "/a=" + last, false);

    assertThat(backend.reads()).isGreaterThan(before);
  }

  @Test
  void backendThatDoesNotSayHowItNumbers_everyPollAsksTheStore() throws Exception {
    backend = counting(MessageIdScheme.UNKNOWN);
    HttpEngine e = start(b -> {});
    long last = publish("/a", "one");
    int before = backend.reads();

    poll(e, "c", "/a=" + last, false);

    assertThat(backend.reads()).isGreaterThan(before);
  }

  @Test
  void idsRestartedByAReset_reachAHeldStreamAtAnOldPosition_withoutAStoreRead() throws Exception {
    HttpEngine e = start(b -> {});
    publish("/a", "a1");
    long last = publish("/a", "a2");
    FakeExchange x = poll(e, "c", "/a=" + last, true);
    assertThat(x.isHeld()).isTrue();

    bus().reset(); // ids start again at 1, below the stream's position
    int before = backend.reads();
    publish("/a", "after reset");

    x.await(b -> b.contains("\"after reset\""), WAIT);
    assertThat(backend.reads() - before).as("the window, not the store, saw the restart").isZero();
  }

  @Test
  void aMessageTheStreamAlreadyHas_isNotPushedAgain_andTheStoreIsNotAsked() throws Exception {
    HttpEngine e = start(b -> {});
    long first = publish("/a", "a1");
    FakeExchange x = poll(e, "c", "/a=" + first, true);
    publish("/a", "a2");
    x.await(b -> b.contains("\"a2\""), WAIT);
    int before = backend.reads();

    publish("/a", "a3");
    x.await(b -> b.contains("\"a3\""), WAIT);

    assertThat(x.body().split("\"a2\"", -1)).hasSize(2);
    assertThat(backend.reads() - before).isZero();
  }

  @Test
  void pollThatIsNotHeld_readsTheStore_soItSeesWhatWasJustPublished() throws Exception {
    HttpEngine e = start(b -> {});
    long last = publish("/a", "one");
    int before = backend.reads();

    FakeExchange x = FakeExchange.post("/a=" + last);
    x.query = "dlp=t";
    assertThat(e.handle(x, "/message-bus/c/poll", null)).isTrue();

    assertThat(x.body()).isEqualTo("[]");
    assertThat(backend.reads()).isGreaterThan(before);
  }
}
