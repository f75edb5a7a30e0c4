// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;

/**
 * The WebSocket protocol without a container: admission, frames, delivery, the bounded queue and
 * the keepalive, through a fake connection whose sends complete when the test says.
 */
class WebSocketEndpointTest {

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    bus.close();
  }

  /** A socket that records what the session sends; sends complete at once unless held. */
  static final class FakeConnection implements WebSocketConnection {
    final BlockingQueue<String> sent = new LinkedBlockingQueue<>();
    final java.util.Set<String> senders = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final BlockingQueue<String> closes = new LinkedBlockingQueue<>();
    volatile int pings;
    volatile boolean hold;
    volatile boolean failSends;
    final BlockingQueue<SendCallback> pending = new LinkedBlockingQueue<>();

    @Override
    public void sendText(String text, SendCallback done) {
      if (failSends) {
        done.failed(new java.io.IOException("broken pipe"));
        return;
      }
      senders.add(Thread.currentThread().getName());
      sent.add(text);
      if (hold) {
        pending.add(done);
      } else {
        done.sent();
      }
    }

    @Override
    public void sendPing() {
      pings++;
    }

    @Override
    public void close(int code, String reason) {
      closes.add(code + " " + reason);
    }

    String next() throws InterruptedException {
      String s = sent.poll(10, TimeUnit.SECONDS);
      assertThat(s).as("a message within 10 s").isNotNull();
      return s;
    }

    String closed() throws InterruptedException {
      String s = closes.poll(10, TimeUnit.SECONDS);
      assertThat(s).as("a close within 10 s").isNotNull();
      return s;
    }
  }

  private WebSocketEndpoint endpoint(
      Consumer<EngineOptions.Builder> engine, Consumer<WebSocketOptions.Builder> ws) {
    EngineOptions.Builder e = EngineOptions.builder().timerThread(false);
    engine.accept(e);
    HttpEngine http = new HttpEngine(bus, e.build());
    WebSocketOptions.Builder w = WebSocketOptions.builder().pingInterval(Duration.ofHours(1));
    ws.accept(w);
    WebSocketEndpoint endpoint = new WebSocketEndpoint(http, w.build());
    closeables.add(http);
    closeables.add(endpoint);
    return endpoint;
  }

  private WebSocketEndpoint endpoint() {
    return endpoint(e -> {}, w -> {});
  }

  private static FakeExchange upgrade(String clientId) {
    FakeExchange x = new FakeExchange();
    x.method = "GET";
    x.path = "/message-bus/" + clientId + "/ws";
    x.withHeader("Host", "example.com");
    return x;
  }

  private static FakeConnection open(WebSocketEndpoint endpoint, FakeExchange x) {
    WebSocketEndpoint.Admission a = endpoint.admit(x);
    assertThat(a.session()).as("admitted: %s %s", a.status(), a.reason()).isNotNull();
    assertThat(a.status()).isEqualTo(101);
    FakeConnection c = new FakeConnection();
    a.session().open(c);
    return c;
  }

  @Test
  void aSocketPathThatReachesTheEngine_isAnsweredAtOnce_neverHeldAsAPoll() {
    EngineOptions options = EngineOptions.builder().timerThread(false).build();
    HttpEngine http = new HttpEngine(bus, options);
    closeables.add(http);
    // no endpoint: a GET of the path is a WebSocket attempt this server cannot serve
    FakeExchange none = upgrade("c");
    assertThat(http.handle(none, none.path, none.path)).isTrue();
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.body()).isEqualTo("WebSocket is not enabled on this server: poll instead");

    WebSocketEndpoint endpoint = new WebSocketEndpoint(http, WebSocketOptions.defaults());
    closeables.add(endpoint);
    // a GET without Upgrade (a proxy dropped it): 426, with the header the status requires
    FakeExchange plain = upgrade("c");
    http.handle(plain, plain.path, plain.path);
    assertThat(plain.status()).isEqualTo(426);
    assertThat(plain.responseHeader("Upgrade")).isEqualTo("websocket");
    assertThat(plain.body()).contains("did not ask for one").endsWith("poll instead");
    // an upgrade no adapter took (a container without WebSocket): 501
    FakeExchange upgrade = upgrade("c").withHeader("Upgrade", "WebSocket");
    http.handle(upgrade, upgrade.path, upgrade.path);
    assertThat(upgrade.status()).isEqualTo(501);
    assertThat(http.heldPolls()).isZero();

    // any other method on the path is a poll of client "c", as on the Ruby wire
    FakeExchange post = FakeExchange.post("/x=-1");
    post.path = "/message-bus/c/ws";
    post.query = "dlp=t";
    http.handle(post, post.path, post.path);
    assertThat(post.status()).isEqualTo(200);

    endpoint.close();
    FakeExchange after = upgrade("c");
    http.handle(after, after.path, after.path);
    assertThat(after.status()).as("the endpoint closed").isEqualTo(404);
  }

  private static WebSocketSession session(WebSocketEndpoint endpoint, FakeExchange x) {
    return endpoint.admit(x).session();
  }

  @Test
  void admission_refusesOtherPaths_longIds_foreignOrigins_andOverCapacity() {
    WebSocketEndpoint e = endpoint(o -> o.maxActiveClients(1).maxClientIdLength(4), w -> {});
    FakeExchange nested = upgrade("a/b");
    assertThat(e.admit(nested).status()).isEqualTo(404);
    assertThat(e.admit(upgrade("toolong")).status()).isEqualTo(400);

    FakeExchange foreign = upgrade("c1").withHeader("Origin", "https://evil.example");
    WebSocketEndpoint.Admission refused = e.admit(foreign);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.reason()).isEqualTo("origin not allowed: https://evil.example");
    assertThat(refused.session()).isNull();
    assertThat(e.admit(upgrade("c1").withHeader("Origin", "null")).status()).isEqualTo(403);
    assertThat(e.admit(upgrade("c1").withHeader("Origin", "http://example.com:80")).status())
        .isEqualTo(101);

    open(e, upgrade("c2"));
    WebSocketEndpoint.Admission full = e.admit(upgrade("c3"));
    assertThat(full.status()).isEqualTo(429);
    assertThat(full.headers()).containsEntry("Retry-After", "15");
    assertThat(e.connections()).isEqualTo(1);
  }

  @Test
  void admission_perIdentityCap_andLookups() throws Exception {
    WebSocketEndpoint e =
        endpoint(
            o ->
                o.maxHeldPollsPerUser(1)
                    .userIdLookup(r -> r.header("X-User"))
                    .groupIdsLookup(r -> List.of("g1", 7))
                    .siteIdLookup(r -> "s1"),
            w -> w.allowedOrigins(List.of("*")));
    open(e, upgrade("c1").withHeader("X-User", "u"));
    assertThat(e.admit(upgrade("c2").withHeader("X-User", "u")).status()).isEqualTo(429);
    assertThat(e.admit(upgrade("c1").withHeader("X-User", "v")).status()).isEqualTo(101);
    WebSocketEndpoint failing =
        endpoint(
            o ->
                o.userIdLookup(
                    r -> {
                      throw new IllegalStateException("lookup bug");
                    }),
            w -> {});
    assertThat(failing.admit(upgrade("c1")).status()).isEqualTo(500);
  }

  @Test
  void subscribe_sendsBacklogThenLive_eachOnce_andUnsubscribeStops() throws Exception {
    WebSocketEndpoint e = endpoint();
    bus.publish("/a", "a1");
    WebSocketSession s = session(e, upgrade("c1"));
    FakeConnection c = new FakeConnection();
    s.open(c);
    assertThat(s.clientId()).isEqualTo("c1");
    s.onText("{\"subscribe\":{\"/a\":0,\"/b\":null}}");
    assertThat(c.next()).contains("\"data\":\"a1\"");
    bus.publish("/a", "a2");
    assertThat(c.next()).contains("\"data\":\"a2\"");
    bus.publish("/b", "b1");
    assertThat(c.next()).contains("\"data\":\"b1\"");
    s.onText("{\"unsubscribe\":[\"/a\",\"/never\"]}");
    bus.publish("/a", "a3");
    bus.publish("/b", "b2");
    assertThat(c.next()).contains("\"data\":\"b2\"");
    assertThat(c.sent).isEmpty();
  }

  @Test
  void badFrames_closeWith4400_binaryWith1003() throws Exception {
    WebSocketEndpoint e = endpoint(o -> o.maxChannels(1), w -> {});
    String[][] cases = {
      {"{", "malformed JSON"},
      {"", "a frame must be a JSON object"},
      {"{}", "a frame needs subscribe or unsubscribe"},
      {"{\"subscribe\":[]}", "subscribe must be an object"},
      {"{\"subscribe\":{\"\":1}}", "invalid channel name: "},
      {"{\"subscribe\":{\"/a\":{}}}", "the position of /a must be a number"},
      {"{\"subscribe\":{\"/a\":1,\"/b\":2}}", "too many channels: at most 1 per socket"},
      {"{\"unsubscribe\":[1]}", "unsubscribe must be an array of channel names"},
      {"{\"unsubscribe\":{}}", "unsubscribe must be an array of channel names"},
      {"{\"nope\":1}", "unknown key: nope"},
    };
    int i = 0;
    for (String[] c : cases) {
      WebSocketSession s = session(e, upgrade("bad" + i++));
      FakeConnection conn = new FakeConnection();
      s.open(conn);
      s.onText(c[0]);
      assertThat(conn.closed()).as(c[0]).startsWith("4400 " + c[1]);
      s.onText("{\"subscribe\":{\"/x\":-1}}"); // ignored once closed
      assertThat(conn.sent).isEmpty();
    }
    WebSocketSession twice = session(e, upgrade("twice"));
    FakeConnection conn = new FakeConnection();
    twice.open(conn);
    twice.onText("{\"subscribe\":{\"/a\":-1}}");
    conn.next();
    twice.onText("{\"subscribe\":{\"/b\":-1}}");
    assertThat(conn.closed()).startsWith("4400 too many channels");

    WebSocketSession binary = session(e, upgrade("bin"));
    FakeConnection b = new FakeConnection();
    binary.open(b);
    binary.onBinary();
    assertThat(b.closed()).startsWith("1003 ");
    assertThat(e.connections()).isZero();
  }

  @Test
  void aSlowConsumer_isClosedWith4429_whenItsQueueIsFull() throws Exception {
    WebSocketEndpoint e = endpoint(o -> {}, w -> w.maxQueuedBytes(1024));
    WebSocketSession s = session(e, upgrade("slow"));
    FakeConnection c = new FakeConnection();
    c.hold = true;
    s.open(c);
    s.onText("{\"subscribe\":{\"/s\":-1}}");
    c.next(); // the status, in flight for ever
    String data = "x".repeat(300);
    for (int i = 0; i < 5; i++) {
      bus.publish("/s", data);
    }
    assertThat(c.closed()).startsWith("4429 send queue full (over 1024 bytes)");
    assertThat(e.slowConsumersClosed()).isEqualTo(1);
    assertThat(e.connections()).isZero();
    c.pending.take().sent(); // a late callback changes nothing
    assertThat(c.sent).isEmpty();
  }

  @Test
  void queuedMessages_goOutOneAtATime_asSendsComplete() throws Exception {
    WebSocketEndpoint e = endpoint();
    WebSocketSession s = session(e, upgrade("q"));
    FakeConnection c = new FakeConnection();
    c.hold = true;
    s.open(c);
    s.onText("{\"subscribe\":{\"/q\":-1}}");
    c.next();
    bus.publish("/q", 1);
    bus.publish("/q", 2);
    assertThat(c.sent.poll(200, TimeUnit.MILLISECONDS))
        .as("nothing while one is in flight")
        .isNull();
    c.pending.take().sent();
    assertThat(c.next()).contains("\"data\":1");
    c.pending.take().sent();
    assertThat(c.next()).contains("\"data\":2");
  }

  @Test
  void aFailedSend_closesTheSocket() throws Exception {
    WebSocketEndpoint e = endpoint();
    WebSocketSession s = session(e, upgrade("f"));
    FakeConnection c = new FakeConnection();
    c.failSends = true;
    s.open(c);
    s.onText("{\"subscribe\":{\"/f\":-1}}");
    assertThat(c.closed()).startsWith("1001 send failed");
    assertThat(e.connections()).isZero();
  }

  @Test
  void anAdmittedSocketNeverOpened_freesItsSlot_afterTheHandshakeTimeout() throws Exception {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    WebSocketEndpoint e =
        endpoint(
            o -> o.ticker(now::get).maxHeldPollsPerUser(1).userIdLookup(r -> r.header("X-User")),
            w -> {});
    // admitted, then the upgrade failed where the adapter could not see it: never opened
    WebSocketSession lost = session(e, upgrade("c1").withHeader("X-User", "u"));
    assertThat(e.pendingHandshakes()).isEqualTo(1);
    assertThat(e.admit(upgrade("c2").withHeader("X-User", "u")).status()).isEqualTo(429);
    long timeout = TimeUnit.SECONDS.toNanos(WebSocketEndpoint.HANDSHAKE_TIMEOUT_SECONDS);
    now.addAndGet(timeout - 1);
    e.expireHandshakes();
    assertThat(e.admit(upgrade("c2").withHeader("X-User", "u")).status())
        .as("not yet: the handshake may still complete")
        .isEqualTo(429);
    now.addAndGet(1);
    e.expireHandshakes();
    assertThat(e.pendingHandshakes()).isZero();
    // the slot is free again; an opened socket is no longer pending and never expires
    FakeConnection c = open(e, upgrade("c3").withHeader("X-User", "u"));
    assertThat(e.pendingHandshakes()).isZero();
    now.addAndGet(10 * timeout);
    e.expireHandshakes();
    assertThat(c.closes).isEmpty();
    // the lost socket opening late after all is closed at once and takes no slot
    FakeConnection late = new FakeConnection();
    lost.open(late);
    assertThat(late.closed()).isEqualTo("1001 the handshake took too long: connect again");
    assertThat(e.connections()).isEqualTo(1);
    // closing the endpoint frees the slots of handshakes still pending
    WebSocketEndpoint other = endpoint(o -> o.ticker(now::get), w -> {});
    session(other, upgrade("d1"));
    assertThat(other.pendingHandshakes()).isEqualTo(1);
    other.close();
    assertThat(other.pendingHandshakes()).isZero();
  }

  @Test
  void pings_closeASocketThatDidNotAnswer_withinOneInterval() throws Exception {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    // the ping thread waits an hour; the test sweeps by hand on a fake ticker
    WebSocketEndpoint e = endpoint(o -> o.ticker(now::get), w -> {});
    WebSocketSession answering = session(e, upgrade("a"));
    FakeConnection a = new FakeConnection();
    answering.open(a);
    WebSocketSession mute = session(e, upgrade("m"));
    FakeConnection m = new FakeConnection();
    mute.open(m);
    e.pingAll();
    assertThat(a.pings).isEqualTo(1);
    assertThat(m.pings).isEqualTo(1);
    answering.onPong();
    now.addAndGet(Duration.ofMinutes(59).toNanos());
    e.pingAll(); // early: the mute one still has time
    assertThat(m.closes).isEmpty();
    assertThat(a.pings).isEqualTo(2);
    answering.onPong();
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    e.pingAll();
    assertThat(m.closed()).isEqualTo("4408 no pong within 3600000 ms");
    assertThat(a.closes).isEmpty();
    assertThat(a.pings).isEqualTo(3);
    assertThat(e.connections()).isEqualTo(1);
  }

  @Test
  void pings_areSpreadOverTheInterval_eachSocketOncePerRound() throws Exception {
    WebSocketEndpoint e = endpoint();
    assertThat(e.pingSlots()).as("default 30 s interval: a slot a second").isEqualTo(30);
    List<FakeConnection> sockets = new ArrayList<>();
    for (int i = 0; i < 45; i++) { // under the per-address cap of 50
      sockets.add(open(e, upgrade("p" + i)));
    }
    int before = 0;
    for (int slot = 0; slot < e.pingSlots(); slot++) {
      e.pingSlot(slot);
      int total = sockets.stream().mapToInt(c -> c.pings).sum();
      assertThat(total - before).as("slot %s pings a share, not all", slot).isBetween(1, 2);
      before = total;
    }
    assertThat(sockets).allSatisfy(c -> assertThat(c.pings).isEqualTo(1));
  }

  @Test
  void closingTheEndpoint_closesSocketsWith1001_andRefusesNewOnes() throws Exception {
    WebSocketEndpoint e = endpoint();
    WebSocketSession s = session(e, upgrade("c"));
    FakeConnection c = new FakeConnection();
    s.open(c);
    WebSocketSession late = session(e, upgrade("late"));
    e.close();
    assertThat(c.closed()).isEqualTo("1001 server shutting down");
    assertThat(e.admit(upgrade("x")).status()).isEqualTo(503);
    FakeConnection l = new FakeConnection();
    late.open(l);
    assertThat(l.closed()).startsWith("1001 ");
    s.onClosed(); // idempotent
  }

  @Test
  void targeting_andGlobalChannels_acrossSites() throws Exception {
    WebSocketEndpoint e =
        endpoint(
            o -> o.userIdLookup(r -> r.header("X-User")).siteIdLookup(r -> r.header("X-Site")),
            w -> {});
    WebSocketSession u1 =
        session(e, upgrade("u1").withHeader("X-User", "1").withHeader("X-Site", "s1"));
    FakeConnection c1 = new FakeConnection();
    u1.open(c1);
    WebSocketSession u2 =
        session(e, upgrade("u2").withHeader("X-User", "2").withHeader("X-Site", "s2"));
    FakeConnection c2 = new FakeConnection();
    u2.open(c2);
    for (WebSocketSession s : List.of(u1, u2)) {
      s.onText("{\"subscribe\":{\"/global/news\":-1,\"/t\":-1}}");
    }
    c1.next();
    c2.next();
    bus.publish("/t", "for 2 in s1", PublishOptions.builder().userIds("2").siteId("s1").build());
    bus.publish("/t", "for 1 in s1", PublishOptions.builder().userIds("1").siteId("s1").build());
    bus.publish("/global/news", "all");
    assertThat(c1.next()).contains("for 1 in s1");
    assertThat(c1.next()).contains("all");
    assertThat(c2.next()).contains("all");
    assertThat(c1.sent).isEmpty();
    assertThat(c2.sent).isEmpty();
  }

  @Test
  void withSeveralFanOutLanes_eachSocketGetsEveryMessageOnceInOrder_fromItsOwnLane()
      throws Exception {
    WebSocketEndpoint e =
        endpoint(o -> o.fanOutThreads(3).userIdLookup(r -> r.header("X-User")), w -> {});
    List<FakeConnection> sockets = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      WebSocketSession s = session(e, upgrade("l" + i).withHeader("X-User", Integer.toString(i)));
      FakeConnection c = new FakeConnection();
      s.open(c);
      s.onText("{\"subscribe\":{\"/lanes\":-1}}");
      c.next(); // the subscription's first frame, sent on this thread
      sockets.add(c);
    }
    for (int k = 0; k < 50; k++) {
      bus.publish("/lanes", "m" + k);
      if (k == 25) {
        bus.publish("/lanes", "only 4", PublishOptions.builder().userIds("4").build());
      }
    }
    for (int i = 0; i < sockets.size(); i++) {
      FakeConnection c = sockets.get(i);
      for (int k = 0; k < 50; k++) {
        assertThat(c.next()).contains("\"data\":\"m" + k + "\"");
        if (k == 25 && i == 4) {
          assertThat(c.next()).contains("only 4");
        }
      }
      assertThat(c.senders)
          .as("socket %s: live messages written by one fan-out lane", i)
          .filteredOn(name -> name.startsWith("message-bus-ws-fanout"))
          .hasSize(1);
    }
    // round robin: three lanes, each with three of the nine sockets
    assertThat(sockets.stream().flatMap(c -> c.senders.stream()).distinct())
        .filteredOn(name -> name.startsWith("message-bus-ws-fanout"))
        .hasSize(3);
    bus.publish("/lanes", "last");
    for (FakeConnection c : sockets) {
      assertThat(c.next()).contains("\"data\":\"last\"");
      assertThat(c.sent).as("nothing twice").isEmpty();
    }
  }

  @Test
  void options_validateAtOnce_andNormaliseOrigins() {
    WebSocketOptions o =
        WebSocketOptions.builder()
            .allowedOrigins(List.of("HTTPS://Example.com:443/", "http://localhost:8080", "*"))
            .maxFrameBytes(128)
            .maxQueuedBytes(1024)
            .build();
    assertThat(o.allowedOrigins())
        .containsExactly("https://example.com", "http://localhost:8080", "*");
    assertThat(WebSocketOptions.defaults().pingInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(WebSocketOptions.defaults().maxQueuedBytes()).isEqualTo(256 * 1024);
    assertThat(WebSocketOptions.defaults().maxFrameBytes()).isEqualTo(64 * 1024);
    assertThatThrownBy(() -> WebSocketOptions.builder().allowedOrigins(List.of("example.com")))
        .hasMessageContaining("allowedOrigins");
    assertThatThrownBy(() -> WebSocketOptions.builder().pingInterval(Duration.ofMillis(1)))
        .hasMessageContaining("pingInterval");
    assertThatThrownBy(() -> WebSocketOptions.builder().maxQueuedBytes(10))
        .hasMessageContaining("maxQueuedBytes");
    assertThatThrownBy(() -> WebSocketOptions.builder().maxFrameBytes(10))
        .hasMessageContaining("maxFrameBytes");
    assertThat(
            WebSocketSession.closeReason("é".repeat(100))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .hasSizeLessThanOrEqualTo(123);
  }
}
