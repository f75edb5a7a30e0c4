// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.messagebus.Message;
import org.messagebus.MessageBus;

/**
 * The engine without a socket, a container or the wall clock: requests are {@link FakeExchange}s,
 * time is a fake ticker the test advances, timeouts expire when the test calls {@link
 * HttpEngine#expireTimeouts}. Live messages come from the bus's dispatch thread or a fan-out lane;
 * what they write is awaited with a bound, never slept for.
 */
class HttpEngineTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration INTERVAL = Duration.ofSeconds(25);
  private static final String SEP = "\r\n|\r\n";
  private static final String WIRE_LIVE =
      "{\"global_id\":%d,\"message_id\":%d,\"channel\":\"/race\",\"data\":\"live\"}";

  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final List<HttpEngine> engines = new ArrayList<>();

  @AfterEach
  void close() {
    engines.forEach(HttpEngine::close);
    bus.close();
  }

  private HttpEngine engine(Consumer<EngineOptions.Builder> options) {
    EngineOptions.Builder b =
        EngineOptions.builder()
            .longPollingInterval(INTERVAL)
            .longPollingMinHold(INTERVAL) // exactly the interval: these tests time it
            .ticker(now::get)
            .timerThread(false);
    options.accept(b);
    HttpEngine e = new HttpEngine(bus, b.build());
    engines.add(e);
    return e;
  }

  private HttpEngine engine() {
    return engine(b -> {});
  }

  private static FakeExchange send(HttpEngine e, String path, FakeExchange x) {
    assertThat(e.handle(x, path, path)).as("the bus's request").isTrue();
    return x;
  }

  /** A long poll (no streaming) of a client at the given form positions. */
  private static FakeExchange longPoll(HttpEngine e, String clientId, String form) {
    return send(
        e,
        "/message-bus/" + clientId + "/poll",
        FakeExchange.post(form).withHeader("Dont-Chunk", "true"));
  }

  private static FakeExchange stream(HttpEngine e, String clientId, String form) {
    return send(e, "/message-bus/" + clientId + "/poll", FakeExchange.post(form));
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void pollWithABacklog_isAnsweredAtOnce_withTheMessages() {
    HttpEngine e = engine();
    bus.publish("/a", "one");

    FakeExchange x = longPoll(e, "c", "/a=0");

    assertThat(x.ended()).isTrue();
    assertThat(x.status()).isEqualTo(200);
    assertThat(x.responseHeader("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(x.body()).contains("\"channel\":\"/a\"").contains("\"data\":\"one\"");
    assertThat(e.heldPolls()).isZero();
  }

  @Test
  void otherPaths_areNotTheBus() {
    HttpEngine e = engine();
    FakeExchange x = FakeExchange.post("");
    assertThat(e.handle(x, "/elsewhere", "/elsewhere")).isFalse();
    assertThat(x.ended()).isFalse();
  }

  @Test
  void anErrorBeforeTheBodyWasRead_saysConnectionClose_onlyThen() throws Exception {
    // The lookups run before the body is read; the container closes a connection whose request
    // body was left unread, so the reply must say so, or a keep-alive client reuses it and fails.
    HttpEngine e =
        engine(
            o ->
                o.groupIdsLookup(
                    r -> {
                      if (r.header("X-Fail") != null) {
                        throw new IllegalStateException("lookup failure (test)");
                      }
                      return java.util.List.of();
                    }));
    FakeExchange failed = FakeExchange.post("/a=0").withHeader("X-Fail", "1");
    failed.query = "dlp=t";
    send(e, "/message-bus/c/poll", failed);
    assertThat(failed.status()).isEqualTo(500);
    assertThat(failed.responseHeader("Connection")).isEqualTo("close");

    FakeExchange tooLongId = FakeExchange.post("/a=0");
    send(e, "/message-bus/" + "x".repeat(10_000) + "/poll", tooLongId);
    assertThat(tooLongId.status()).isEqualTo(400);
    assertThat(tooLongId.responseHeader("Connection")).isEqualTo("close");

    // The body was read: the connection is kept, even for a client error.
    FakeExchange bad = FakeExchange.post("__seq=abc&/a=0");
    bad.query = "dlp=t";
    send(e, "/message-bus/c/poll", bad);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.responseHeader("Connection")).isNull();
  }

  @Test
  void closeHeldPollConnections_heldLongPollSaysConnectionClose_asRuby() throws Exception {
    HttpEngine e = engine(o -> o.closeHeldPollConnections(true));
    long last = bus.publish("/a", "before");

    FakeExchange x = longPoll(e, "c", "/a=" + last);

    assertThat(x.isHeld()).isTrue();
    assertThat(x.responseHeader("Connection")).isEqualTo("close");
  }

  @Test
  void heldLongPoll_stopsWatchingItsConnectionBeforeTheReplyGoesOut() throws Exception {
    // On a kept connection the client sends its next poll as soon as it has the reply: the watch
    // must be gone by then, or it would read (and lose) that request.
    HttpEngine e = engine();
    long last = bus.publish("/a", "before");
    FakeExchange answered = longPoll(e, "c", "/a=" + last);
    FakeExchange timedOut = longPoll(e, "d", "/b=" + bus.lastId("/b"));

    bus.publish("/a", "live");
    answered.awaitEnd(WAIT);
    advance(INTERVAL.plusSeconds(1));
    e.expireTimeouts();

    assertThat(answered.body()).contains("\"live\"");
    assertThat(answered.bodyBytesAtFirstWatchCancel()).isZero();
    assertThat(timedOut.body()).isEqualTo("[]");
    assertThat(timedOut.bodyBytesAtFirstWatchCancel()).isZero();
  }

  @Test
  void heldLongPoll_isAnsweredByOneMessage_once() throws Exception {
    HttpEngine e = engine();
    long last = bus.publish("/a", "before");

    FakeExchange x = longPoll(e, "c", "/a=" + last);
    assertThat(x.isHeld()).isTrue();
    assertThat(x.ended()).isFalse();
    assertThat(e.heldPolls()).isEqualTo(1);
    assertThat(x.responseHeader("Connection")).isNull(); // kept open for the next poll

    bus.publish("/a", "live");
    x.awaitEnd(WAIT);

    assertThat(x.body()).contains("\"data\":\"live\"").doesNotContain("before");
    assertThat(x.completions()).isEqualTo(1);
    assertThat(x.watchCancels()).as("the disconnect watch was cancelled").isPositive();
    assertThat(e.heldPolls()).isZero();
    // The timeout was disarmed: expiring later writes nothing more.
    advance(INTERVAL.multipliedBy(2));
    e.expireTimeouts();
    assertThat(x.completeCalls()).isEqualTo(1);
  }

  @Test
  void heldLongPoll_timesOutOnTheTicker_withAnEmptyArray() {
    HttpEngine e = engine();
    FakeExchange x = longPoll(e, "c", "/a=0");
    assertThat(x.isHeld()).isTrue();

    advance(INTERVAL.minusMillis(1));
    e.expireTimeouts();
    assertThat(x.ended()).as("not before the interval").isFalse();

    advance(Duration.ofSeconds(1));
    e.expireTimeouts();
    assertThat(x.ended()).isTrue();
    assertThat(x.body()).isEqualTo("[]");
    assertThat(x.completeCalls()).isEqualTo(1);
    assertThat(e.heldPolls()).isZero();
  }

  @Test
  void heldStream_endsOnTheTicker_afterItsPieces() throws Exception {
    HttpEngine e = engine();
    FakeExchange x = stream(e, "c", "/a=0");
    assertThat(x.body()).isEqualTo("[]" + SEP);
    assertThat(x.responseHeader("Content-Type")).isEqualTo("text/plain; charset=utf-8");

    bus.publish("/a", "one");
    x.await(b -> b.contains("\"one\""), WAIT);

    advance(INTERVAL.plusSeconds(1));
    e.expireTimeouts();
    assertThat(x.ended()).isTrue();
    assertThat(x.body()).endsWith("[]" + SEP);
  }

  /**
   * Timeout, message and client disconnect race for the same held poll: exactly one of them ends
   * it, with one reply (a message or {@code []}, or nothing when the client left first), and the
   * exchange is completed exactly once.
   */
  @Test
  void timeoutMessageAndDisconnectRacing_endThePollExactlyOnce() throws Exception {
    HttpEngine e = engine(b -> b.fanOutThreads(1));
    long last = bus.publish("/race", "seed");
    // A message the held polls have not seen (the dispatcher has nothing newer to push).
    Message newer = new Message(last + 1, last + 1, "/race", "live", null, null, null, null);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int round = 0; round < 200; round++) {
        FakeExchange held = longPoll(e, "r" + round, "/race=" + last);
        assertThat(held.isHeld()).isTrue();
        advance(INTERVAL.plusSeconds(1));
        CyclicBarrier start = new CyclicBarrier(3);
        List<Future<?>> racers = new ArrayList<>();
        racers.add(pool.submit(() -> race(start, e::expireTimeouts)));
        racers.add(pool.submit(() -> race(start, () -> deliver(e, newer))));
        racers.add(pool.submit(() -> race(start, held::clientGone)));
        for (Future<?> f : racers) {
          f.get(10, TimeUnit.SECONDS);
        }

        assertThat(held.ended()).isTrue();
        assertThat(held.completeCalls()).as("round %d", round).isEqualTo(1);
        assertThat(held.completions()).isEqualTo(1);
        assertThat(held.body())
            .isIn("", "[]", "[" + String.format(WIRE_LIVE, last + 1, last + 1) + "]");
        assertThat(e.heldPolls()).isZero();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A live message for the race: only one that the poll has not seen counts. */
  private static void deliver(HttpEngine e, Message m) {
    e.connectionManager().notify(m);
  }

  private static Void race(CyclicBarrier start, Runnable r) throws Exception {
    start.await(10, TimeUnit.SECONDS);
    r.run();
    return null;
  }

  @Test
  void livePushTheClientAlreadyHas_isDropped_aNewerOneIsDelivered() throws Exception {
    HttpEngine e = engine(b -> b.fanOutThreads(1));
    long last = bus.publish("/d", "old");
    Message old = bus.lastMessage("/d").orElseThrow();

    FakeExchange x = longPoll(e, "c", "/d=" + last);
    assertThat(x.isHeld()).isTrue();

    // A lagging dispatcher pushes the message the poll's position already covers.
    e.connectionManager().notify(old);
    assertThat(x.ended()).isFalse();
    assertThat(x.body()).isEmpty();

    bus.publish("/d", "new");
    x.awaitEnd(WAIT);
    assertThat(x.body()).contains("\"new\"").doesNotContain("\"old\"");
  }

  @Test
  void newerPollOfTheSameClient_replacesTheHeldOne_withAnEmptyArray() {
    HttpEngine e = engine();
    FakeExchange first = longPoll(e, "c", "/a=0&__seq=1");
    FakeExchange second = longPoll(e, "c", "/a=0&__seq=2");

    assertThat(first.ended()).isTrue();
    assertThat(first.body()).isEqualTo("[]");
    assertThat(second.ended()).isFalse();
    assertThat(e.heldPolls()).isEqualTo(1);

    FakeExchange older = longPoll(e, "c", "/a=0&__seq=1");
    assertThat(older.body()).as("an older poll does not replace a newer one").isEqualTo("[]");
    assertThat(second.ended()).isFalse();
  }

  @ParameterizedTest(name = "fan-out threads = {0}")
  @ValueSource(ints = {1, 2})
  void manyLongPollsAnsweredByOneMessage_areAllUnregistered_andTheirNextPollsHeld(int lanes)
      throws Exception {
    // Each answered poll is unregistered (by its exchange's end and by the fan-out) exactly once:
    // the count returns to zero, and each client's next poll is held, counted once and answered.
    int n = 150;
    HttpEngine e = engine(b -> b.fanOutThreads(lanes).maxHeldPollsPerAddress(n));
    for (int round = 0; round < 2; round++) {
      List<FakeExchange> polls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        polls.add(longPoll(e, "c" + i, "/m=" + round));
      }
      assertThat(e.heldPolls()).isEqualTo(n);

      String data = "\"data\":\"m" + round + "\"";
      String before = "\"data\":\"m" + (round - 1) + "\"";
      bus.publish("/m", "m" + round);
      for (FakeExchange x : polls) {
        assertThat(x.await(b -> b.contains(data), WAIT)).startsWith("[").doesNotContain(before);
      }
      await().atMost(WAIT).until(() -> e.heldPolls() == 0);
    }
  }

  @Test
  void fanOut_everyStreamReceivesEveryMessage_inPublishOrder() throws Exception {
    HttpEngine e = engine(b -> b.fanOutThreads(4));
    List<FakeExchange> streams = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      streams.add(stream(e, "s" + i, "/f=0"));
    }
    int n = 40;
    for (int i = 0; i < n; i++) {
      bus.publish("/f", "m" + i);
    }
    for (FakeExchange x : streams) {
      String body = x.await(b -> b.split("\\Q" + SEP + "\\E").length >= n + 1, WAIT);
      List<String> data = new ArrayList<>();
      for (String piece : body.split("\\Q" + SEP + "\\E")) {
        int at = piece.indexOf("\"data\":\"");
        if (at >= 0) {
          data.add(piece.substring(at + 8, piece.indexOf('"', at + 8)));
        }
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        expected.add("m" + i);
      }
      assertThat(data).isEqualTo(expected);
    }
  }

  @Test
  void slowClient_bytesWaitUntilTheTransportTakesMore() throws Exception {
    HttpEngine e = engine(b -> b.fanOutThreads(1));
    FakeExchange x = FakeExchange.post("/w=0");
    x.blockOutput();
    send(e, "/message-bus/w/poll", x);
    assertThat(x.body()).as("the first piece waits").isEmpty();

    bus.publish("/w", "queued");
    // The message is queued on the poll, not written.
    x.releaseOutput();
    String body = x.await(b -> b.contains("\"queued\""), WAIT);
    assertThat(body).startsWith("[]" + SEP);
  }

  @Test
  void streamWhoseClientDoesNotRead_isCutOffAtTheCap_keepingOnlyTheClosingPiece() throws Exception {
    HttpEngine e = engine(b -> b.fanOutThreads(1).maxUnsentBytes(10_000));
    FakeExchange x = FakeExchange.post("/w=0");
    x.blockOutput();
    send(e, "/message-bus/w/poll", x);
    String big = "x".repeat(4_000);
    for (int i = 0; i < 5; i++) {
      bus.publish("/w", i + big);
    }
    // the first piece ([]) and two messages fit; the third would not: the stream ends
    await().atMost(WAIT).until(() -> e.streamsCutOff() == 1);
    assertThat(x.completeCalls()).as("not complete while the transport takes nothing").isZero();

    x.releaseOutput();
    x.awaitEnd(WAIT);
    assertThat(x.body())
        .as("unsent pieces dropped whole: only the end of the stream")
        .isEqualTo("[]" + SEP);
    assertThat(x.completeCalls()).isEqualTo(1);
    assertThat(e.heldPolls()).isZero();
  }

  @Test
  void streamThatReads_isNeverCutOff_andOneMessageOverTheCapIsAccepted() throws Exception {
    HttpEngine e = engine(b -> b.fanOutThreads(1).maxUnsentBytes(1_000));
    FakeExchange x = stream(e, "r", "/r=0");
    String big = "y".repeat(5_000);
    bus.publish("/r", big);
    bus.publish("/r", "after");
    x.await(b -> b.contains("\"after\""), WAIT);
    assertThat(x.body()).contains(big);
    assertThat(e.streamsCutOff()).isZero();
    assertThat(x.ended()).isFalse();
  }

  @Test
  void bodyArrivingLater_isPolledThen_andAReadTimeoutIs408() throws Exception {
    HttpEngine e = engine();
    bus.publish("/late", "x");
    FakeExchange later = FakeExchange.post("/late=0").deferBody();
    send(e, "/message-bus/c/poll", later);
    assertThat(later.ended()).isFalse();
    later.deliverBody();
    assertThat(later.body()).contains("\"x\"");

    FakeExchange slow = FakeExchange.post("/late=0").deferBody();
    send(e, "/message-bus/d/poll", slow);
    slow.failBody(new TimeoutException("idle"));
    assertThat(slow.status()).isEqualTo(408);
    assertThat(slow.body()).isEqualTo("request body not received in time");
    assertThat(slow.responseHeader("Connection")).isEqualTo("close");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "too long client id | /message-bus/CLIENT/poll | application/x-www-form-urlencoded | /a=1"
            + " | 400 | client id too long",
        "invalid JSON | /message-bus/c/poll | application/json | { | 400 | the JSON body is"
            + " invalid",
        "JSON array | /message-bus/c/poll | application/json | [] | 400 | must be an object",
        "unknown charset | /message-bus/c/poll | application/x-www-form-urlencoded; charset=nope |"
            + " /a=1 | 415 | unsupported charset",
        "bad percent encoding | /message-bus/c/poll | application/x-www-form-urlencoded | /a=%zz |"
            + " 400 | not valid URL encoding",
        "seq not a number | /message-bus/c/poll | application/x-www-form-urlencoded |"
            + " __seq=abc&/a=1 | 400 | __seq must be an integer",
        "too many channels | /message-bus/c/poll | application/x-www-form-urlencoded |"
            + " /a=1&/b=1&/c=1 | 400 | too many",
        "channel with separator | /message-bus/c/poll | application/x-www-form-urlencoded |"
            + " /aSEPARATORb=1 | 400 | invalid channel name",
        "dot segment | /message-bus/../c/poll | application/x-www-form-urlencoded | /a=1 | 400 |"
            + " unsupported path",
        "body too large | /message-bus/c/poll | application/x-www-form-urlencoded |"
            + " BIG | 413 | request body too large",
        "no client id | /message-bus/ | application/x-www-form-urlencoded | /a=1 | 404 | not"
            + " found",
      })
  void badInput_is4xx_withAOneLineReason(
      String what, String path, String contentType, String body, int status, String reason) {
    HttpEngine e = engine(b -> b.maxChannels(2).maxBodyBytes(64));
    FakeExchange x = new FakeExchange().withHeader("Content-Type", contentType);
    x.requestBody =
        (body.equals("BIG") ? "/a=" + "1".repeat(100) : body.replace("SEPARATOR", "$|$"))
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String p = path.replace("CLIENT", "x".repeat(200));

    send(e, p, x);

    assertThat(x.status()).as(what).isEqualTo(status);
    assertThat(x.body()).contains(reason).doesNotContain("\n").doesNotContain("Exception");
    assertThat(x.ended()).isTrue();
    assertThat(e.heldPolls()).isZero();
  }

  @Test
  void heldPollsOverTheAddressCap_are429_withRetryAfter() {
    HttpEngine e = engine(b -> b.maxHeldPollsPerAddress(1));
    FakeExchange first = longPoll(e, "one", "/a=0");
    assertThat(first.isHeld()).isTrue();

    FakeExchange second = longPoll(e, "two", "/a=0");

    assertThat(second.status()).isEqualTo(429);
    assertThat(second.responseHeader("Retry-After")).isEqualTo("15");
    assertThat(second.body()).startsWith("too many held polls for this address");

    // The slot comes back when the held poll ends.
    advance(INTERVAL.plusSeconds(1));
    e.expireTimeouts();
    assertThat(longPoll(e, "two", "/a=0").isHeld()).isTrue();
  }

  @Test
  void lookups_seeTheRequestView_andTargetMessages() throws Exception {
    HttpEngine e =
        engine(
            b ->
                b.fanOutThreads(1)
                    .userIdLookup(
                        r ->
                            r.header("X-User") == null ? null : Integer.valueOf(r.header("X-User")))
                    .extraResponseHeadersLookup(r -> java.util.Map.of("X-Extra", r.method())));
    FakeExchange alice =
        send(
            e,
            "/message-bus/a/poll",
            FakeExchange.post("/t=0").withHeader("X-User", "1").withHeader("Dont-Chunk", "1"));
    FakeExchange bob =
        send(
            e,
            "/message-bus/b/poll",
            FakeExchange.post("/t=0").withHeader("X-User", "2").withHeader("Dont-Chunk", "1"));
    assertThat(alice.responseHeader("X-Extra")).isEqualTo("POST");

    bus.publish("/t", "for alice", org.messagebus.PublishOptions.builder().userIds(1).build());
    alice.awaitEnd(WAIT);
    assertThat(alice.body()).contains("for alice");
    assertThat(bob.ended()).isFalse();
  }
}
