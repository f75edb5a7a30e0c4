// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.http.HttpObserver.PollMode;
import org.messagebus.http.HttpObserver.PollOutcome;
import org.messagebus.observe.ObserverRegistration;

/**
 * The engine's observation hook without a socket: every way a poll ends reaches the observer once,
 * with its mode and outcome, and what is sent is counted.
 */
class HttpObserverTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration INTERVAL = Duration.ofSeconds(25);

  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final List<HttpEngine> engines = new ArrayList<>();
  private final Recorder recorder = new Recorder();

  /** Records every event. */
  static final class Recorder implements HttpObserver {
    final List<String> polls = new CopyOnWriteArrayList<>();
    final AtomicInteger delivered = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger overCapacity = new AtomicInteger();

    @Override
    public void pollEnded(PollMode mode, PollOutcome outcome) {
      polls.add(mode + " " + outcome);
    }

    @Override
    public void delivered(int messages) {
      delivered.addAndGet(messages);
    }

    @Override
    public void bytesWritten(long n) {
      bytes.addAndGet(n);
    }

    @Override
    public void overCapacity() {
      overCapacity.incrementAndGet();
    }
  }

  @AfterEach
  void close() {
    engines.forEach(HttpEngine::close);
    bus.close();
  }

  private HttpEngine engine(Consumer<EngineOptions.Builder> options) {
    EngineOptions.Builder b =
        EngineOptions.builder().longPollingInterval(INTERVAL).ticker(now::get).timerThread(false);
    options.accept(b);
    HttpEngine e = new HttpEngine(bus, b.build());
    engines.add(e);
    e.observe(recorder);
    return e;
  }

  private static FakeExchange send(HttpEngine e, String clientId, FakeExchange x) {
    String path = "/message-bus/" + clientId + "/poll";
    assertThat(e.handle(x, path, path)).isTrue();
    return x;
  }

  private static FakeExchange longPoll(HttpEngine e, String clientId, String form) {
    return send(e, clientId, FakeExchange.post(form).withHeader("Dont-Chunk", "true"));
  }

  private static FakeExchange plainPoll(HttpEngine e, String clientId, String form) {
    FakeExchange x = FakeExchange.post(form);
    x.query = "dlp=t";
    return send(e, clientId, x);
  }

  @Test
  void plainPolls_endWithDataOrEmpty_andCountWhatTheySend() {
    HttpEngine e = engine(b -> {});
    bus.publish("/a", "one");
    FakeExchange data = plainPoll(e, "c", "/a=0");
    plainPoll(e, "c", "/a=" + bus.lastId("/a"));

    assertThat(recorder.polls).containsExactly("POLL DATA", "POLL EMPTY");
    assertThat(recorder.delivered.get()).isEqualTo(1);
    assertThat(recorder.bytes.get()).isEqualTo(data.body().length() + "[]".length());
  }

  @Test
  void heldLongPolls_endWithData_timeout_superseded_andShutdown() {
    HttpEngine e = engine(b -> {});
    long last = bus.publish("/a", "before");
    FakeExchange data = longPoll(e, "d", "/a=" + last);
    assertThat(data.isHeld()).isTrue();
    bus.publish("/a", "live");
    await().atMost(WAIT).until(data::ended);

    longPoll(e, "t", "/a=" + bus.lastId("/a"));
    now.addAndGet(INTERVAL.plusSeconds(1).toNanos());
    e.expireTimeouts();

    longPoll(e, "s", "/a=" + bus.lastId("/a") + "&__seq=1");
    longPoll(e, "s", "/a=" + bus.lastId("/a") + "&__seq=2");
    e.close();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(recorder.polls)
                    .containsExactly(
                        "LONG_POLL DATA",
                        "LONG_POLL TIMEOUT",
                        "LONG_POLL SUPERSEDED",
                        "LONG_POLL SHUTDOWN"));
    assertThat(recorder.delivered.get()).isEqualTo(1);
  }

  @Test
  void streams_countEveryMessage_andTheirBytes() {
    HttpEngine e = engine(b -> {});
    long last = bus.publish("/a", "before");
    FakeExchange x = send(e, "c", FakeExchange.post("/a=0"));
    assertThat(x.isHeld()).isTrue();
    bus.publish("/a", "live");
    await().atMost(WAIT).until(() -> recorder.delivered.get() == 2); // backlog + live
    now.addAndGet(INTERVAL.plusSeconds(1).toNanos());
    e.expireTimeouts();
    await().atMost(WAIT).until(x::ended);
    await().atMost(WAIT).until(() -> recorder.polls.size() == 1);
    assertThat(recorder.polls).containsExactly("STREAM TIMEOUT");
    assertThat(recorder.bytes.get()).isEqualTo(x.body().length());
    assertThat(last).isPositive();
  }

  @Test
  void refusedPolls_areClientErrors_or429_andAFullEngineIsCounted() {
    HttpEngine e = engine(b -> b.maxHeldPollsPerAddress(1).maxActiveClients(1));
    longPoll(e, "bad", "__seq=abc&/a=1");
    FakeExchange held = longPoll(e, "one", "/a=0");
    assertThat(held.isHeld()).isTrue();
    FakeExchange refused = longPoll(e, "two", "/a=0");
    assertThat(refused.status()).isEqualTo(200); // the engine is full: answered at once
    assertThat(recorder.overCapacity.get()).isEqualTo(1);

    assertThat(recorder.polls).containsExactly("LONG_POLL CLIENT_ERROR", "LONG_POLL EMPTY");
  }

  @Test
  void pollsOverTheAddressCap_are429() {
    HttpEngine e = engine(b -> b.maxHeldPollsPerAddress(1));
    assertThat(longPoll(e, "one", "/a=0").isHeld()).isTrue();
    assertThat(longPoll(e, "two", "/a=0").status()).isEqualTo(429);
    assertThat(recorder.polls).containsExactly("LONG_POLL TOO_MANY_REQUESTS");
  }

  @Test
  void aClientThatGoes_isDisconnected_andRemovedObserversHearNothing() {
    HttpEngine e = engine(b -> {});
    Recorder second = new Recorder();
    ObserverRegistration r = e.observe(second);
    FakeExchange x = longPoll(e, "c", "/a=0");
    x.clientGone();
    await().atMost(WAIT).until(() -> recorder.polls.size() == 1);
    assertThat(recorder.polls).containsExactly("LONG_POLL DISCONNECTED");
    assertThat(second.polls).containsExactly("LONG_POLL DISCONNECTED");
    r.close();
    r.close();
    plainPoll(e, "c", "/a=0");
    assertThat(second.polls).hasSize(1);
    assertThat(recorder.polls).hasSize(2);
  }

  @Test
  void aFailingObserver_disturbsNothing() {
    HttpEngine e = engine(b -> {});
    e.observe(
        new HttpObserver() {
          @Override
          public void pollEnded(PollMode mode, PollOutcome outcome) {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void delivered(int messages) {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void bytesWritten(long bytes) {
            throw new IllegalStateException("observer failure (test)");
          }

          @Override
          public void overCapacity() {
            throw new IllegalStateException("observer failure (test)");
          }
        });
    bus.publish("/a", "one");
    FakeExchange x = plainPoll(e, "c", "/a=0");
    assertThat(x.status()).isEqualTo(200);
    assertThat(recorder.polls).containsExactly("POLL DATA");
  }
}
