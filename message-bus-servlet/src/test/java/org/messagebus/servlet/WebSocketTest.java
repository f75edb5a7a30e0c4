// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.http.WebSocketEndpoint;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.http.WebSocketSession;

/**
 * The WebSocket endpoint against a real Jetty over a socket, with the JDK's WebSocket client: the
 * scenarios every adapter of the endpoint passes. {@link JettyCoreWebSocketTest} runs them on
 * {@code MessageBusServer} (Jetty's core WebSocket API), {@link JakartaWebSocketTest} on {@link
 * MessageBusFilter} in a Jakarta WebSocket container.
 */
abstract class WebSocketTest {

  /**
   * A running server on a memory bus: its port, its WebSocket endpoint, and what stops it (and
   * closes the bus).
   */
  record Served(
      MessageBus bus, IntSupplier ports, Supplier<WebSocketEndpoint> endpoint, Runnable stop) {
    int port() {
      return ports.getAsInt();
    }

    WebSocketEndpoint webSockets() {
      return endpoint.get();
    }

    void close() {
      stop.run();
    }
  }

  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  Served f;
  private LogCapture log;

  /** Starts a server with these options on a new memory bus. */
  abstract Served serve(MessageBus bus, HttpTransportOptions http, WebSocketOptions ws);

  @BeforeEach
  void captureLog() {
    log = LogCapture.start();
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
    log.close();
    assertThat(log.lines()).as("nothing logged at ERROR").noneMatch(l -> l.contains(" ERROR "));
  }

  Served start(HttpTransportOptions.Builder http, WebSocketOptions.Builder ws) {
    MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    f = serve(bus, http.build(), ws.build());
    return f;
  }

  private Served start() {
    return start(HttpTransportOptions.builder(), WebSocketOptions.builder());
  }

  URI ws(String clientId) {
    return URI.create("ws://127.0.0.1:" + f.port() + "/message-bus/" + clientId + "/ws");
  }

  WsProbe connect(String clientId, String... headers) {
    return WsProbe.connect(http, ws(clientId), headers);
  }

  @Test
  void subscribe_atMinusOne_getsStatus_thenLiveMessages() throws Exception {
    start();
    f.bus().publish("/chat", "old");
    WsProbe c = connect("c1");
    c.send("{\"subscribe\":{\"/chat\":-1}}");
    List<Map<String, Object>> status = c.next();
    assertThat(status).hasSize(1);
    assertThat(status.get(0))
        .containsEntry("channel", "/__status")
        .containsEntry("global_id", -1)
        .containsEntry("data", Map.of("/chat", 1));

    f.bus().publish("/chat", "live");
    assertThat(c.next())
        .containsExactly(
            Map.of("global_id", 2, "message_id", 2, "channel", "/chat", "data", "live"));
    assertThat(f.webSockets().connections()).isEqualTo(1);
  }

  @Test
  void subscribe_fromPosition_getsBacklogInOneFrame_thenResumesWithoutDuplicates()
      throws Exception {
    start();
    f.bus().publish("/a", "a1");
    f.bus().publish("/a", "a2");
    f.bus().publish("/b", "b1");
    WsProbe c = connect("c1");
    c.send("{\"subscribe\":{\"/a\":0,\"/b\":\"0\"}}");
    assertThat(c.next()).extracting(m -> m.get("data")).containsExactly("a1", "a2", "b1");
    f.bus().publish("/a", "a3");
    assertThat(c.next()).extracting(m -> m.get("data")).containsExactly("a3");

    // a second socket resumes from the position it had (a2 = id 2): only a3 and b1 come
    WsProbe again = connect("c2");
    again.send("{\"subscribe\":{\"/a\":2,\"/b\":3}}");
    assertThat(again.next()).extracting(m -> m.get("data")).containsExactly("a3");
    f.bus().publish("/b", "b2");
    assertThat(again.next()).extracting(m -> m.get("data")).containsExactly("b2");
    assertThat(c.next()).extracting(m -> m.get("data")).containsExactly("b2");
    assertThat(c.texts).isEmpty();
  }

  @Test
  void unsubscribe_stopsDelivery() throws Exception {
    start();
    WsProbe c = connect("c1");
    c.send("{\"subscribe\":{\"/a\":-1,\"/b\":-1}}");
    c.next(); // status
    c.send("{\"unsubscribe\":[\"/a\"]}");
    // frames are handled in order: the unsubscribe is done once a later subscribe answers
    c.send("{\"subscribe\":{\"/c\":-1}}");
    c.next();
    f.bus().publish("/a", "gone");
    f.bus().publish("/b", "kept");
    assertThat(c.next()).extracting(m -> m.get("data")).containsExactly("kept");
  }

  @Test
  void targeting_userAndClientIds_reachOnlyTheirSockets() throws Exception {
    start(
        HttpTransportOptions.builder().userIdFromRequest(r -> r.header("X-User")),
        WebSocketOptions.builder());
    WsProbe alice = connect("ca", "X-User", "alice");
    WsProbe bob = connect("cb", "X-User", "bob");
    for (WsProbe p : List.of(alice, bob)) {
      p.send("{\"subscribe\":{\"/t\":-1}}");
      p.next();
    }
    f.bus().publish("/t", "for alice", PublishOptions.builder().userIds("alice").build());
    f.bus().publish("/t", "for client cb", PublishOptions.builder().clientIds("cb").build());
    f.bus().publish("/t", "for all");
    assertThat(alice.next()).extracting(m -> m.get("data")).containsExactly("for alice");
    assertThat(alice.next()).extracting(m -> m.get("data")).containsExactly("for all");
    assertThat(bob.next()).extracting(m -> m.get("data")).containsExactly("for client cb");
    assertThat(bob.next()).extracting(m -> m.get("data")).containsExactly("for all");

    // the backlog applies the same targeting, with a status past the withheld message
    WsProbe late = connect("cz", "X-User", "bob");
    late.send("{\"subscribe\":{\"/t\":0}}");
    List<Map<String, Object>> backlog = late.next();
    assertThat(backlog).extracting(m -> m.get("data")).containsExactly("for all", Map.of("/t", 3));
  }

  @Test
  void foreignOrigin_isRefusedWith403_sameOriginAndListedOriginsAreAccepted() throws Exception {
    start();
    assertThatThrownBy(
            () ->
                WsProbe.builder(http, "Origin", "https://evil.example")
                    .buildAsync(ws("c1"), new java.net.http.WebSocket.Listener() {})
                    .join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));
    WsProbe same = connect("c2", "Origin", "http://127.0.0.1:" + f.port());
    same.send("{\"subscribe\":{\"/x\":-1}}");
    assertThat(same.next()).hasSize(1);
    assertThat(f.webSockets().connections()).isEqualTo(1);
  }

  @Test
  void allowList_acceptsListedOrigins_only() throws Exception {
    start(
        HttpTransportOptions.builder(),
        WebSocketOptions.builder().allowedOrigins(List.of("https://app.example.com")));
    WsProbe listed = connect("c1", "Origin", "https://APP.example.com:443");
    listed.send("{\"subscribe\":{\"/x\":-1}}");
    assertThat(listed.next()).hasSize(1);
    assertThatThrownBy(
            () -> connect("c2", "Origin", "http://127.0.0.1:" + f.port())) // same origin, unlisted
        .hasCauseInstanceOf(WebSocketHandshakeException.class);
    assertThat(rawUpgrade("/message-bus/c3/ws", "https://evil.example"))
        .startsWith("HTTP/1.1 403")
        .contains("origin not allowed: https://evil.example");
  }

  @Test
  void overMaxActiveClients_theUpgradeIsRefusedWith429AndRetryAfter() {
    start(HttpTransportOptions.builder().maxActiveClients(1), WebSocketOptions.builder());
    connect("c1");
    assertThat(rawUpgrade("/message-bus/c2/ws", null))
        .startsWith("HTTP/1.1 429")
        .containsIgnoringCase("Retry-After: 15")
        .contains("too many connections: at most 1");
  }

  @Test
  void badFrames_closeWith4400AndAReason_neighboursUnaffected() throws Exception {
    start(HttpTransportOptions.builder().maxChannels(2), WebSocketOptions.builder());
    WsProbe neighbour = connect("n");
    neighbour.send("{\"subscribe\":{\"/n\":-1}}");
    neighbour.next();
    Map<String, String> frames =
        Map.of(
            "not json", "malformed JSON",
            "[1]", "a frame must be a JSON object",
            "{\"subscribe\":{\"/a\":-1},\"hello\":1}", "unknown key: hello",
            "{\"subscribe\":{\"/a$|$b\":-1}}", "invalid channel name: /a$|$b",
            "{\"subscribe\":{\"/a\":-1,\"/b\":-1,\"/c\":-1}}", "too many channels: at most 2",
            "{\"subscribe\":{\"/a\":true}}", "the position of /a must be a number",
            "{\"unsubscribe\":\"/a\"}", "unsubscribe must be an array");
    int i = 0;
    for (Map.Entry<String, String> e : frames.entrySet()) {
      WsProbe bad = connect("bad" + i++);
      bad.send(e.getKey());
      WsProbe.Close close = bad.awaitClose();
      assertThat(close.code()).as(e.getKey()).isEqualTo(WebSocketSession.CLOSE_BAD_FRAME);
      assertThat(close.reason()).as(e.getKey()).startsWith(e.getValue());
    }
    // too many channels over two frames
    WsProbe twice = connect("twice");
    twice.send("{\"subscribe\":{\"/a\":-1,\"/b\":-1}}");
    twice.next();
    twice.send("{\"subscribe\":{\"/c\":-1}}");
    assertThat(twice.awaitClose().code()).isEqualTo(WebSocketSession.CLOSE_BAD_FRAME);

    WsProbe binary = connect("binary");
    binary.socket.sendBinary(ByteBuffer.wrap(new byte[] {1, 2}), true).join();
    assertThat(binary.awaitClose().code()).isEqualTo(1003);

    f.bus().publish("/n", "still here");
    assertThat(neighbour.next()).extracting(m -> m.get("data")).containsExactly("still here");
    await().untilAsserted(() -> assertThat(f.webSockets().connections()).isEqualTo(1));
  }

  @Test
  void oversizedFrame_closesWith1009() {
    start(HttpTransportOptions.builder(), WebSocketOptions.builder().maxFrameBytes(128));
    WsProbe big = connect("big");
    big.send("{\"subscribe\":{\"/" + "x".repeat(200) + "\":-1}}");
    assertThat(big.awaitClose().code()).isEqualTo(1009);
  }

  @Test
  void slowConsumer_isClosedWith4429_neighbourKeepsReceiving_andItResumesWithoutLoss()
      throws Exception {
    start(HttpTransportOptions.builder(), WebSocketOptions.builder().maxQueuedBytes(64 * 1024));
    WsProbe fast = connect("fast");
    WsProbe slow = WsProbe.connect(http, ws("slow"), false);
    fast.send("{\"subscribe\":{\"/big\":-1}}");
    slow.send("{\"subscribe\":{\"/big\":-1}}");
    fast.next();
    String payload = "x".repeat(32 * 1024);
    PublishOptions keepAll = PublishOptions.builder().maxBacklogSize(100_000).build();
    int published = 0;
    while (f.webSockets().slowConsumersClosed() == 0) {
      assertThat(published).as("the slow socket is closed before 2,000 messages").isLessThan(2000);
      f.bus().publish("/big", payload + published, keepAll);
      published++;
      // the neighbour reads every message as it comes
      assertThat(fast.next())
          .extracting(m -> m.get("data"))
          .containsExactly(payload + (published - 1));
    }
    f.bus().publish("/big", "after", keepAll);
    assertThat(fast.next()).extracting(m -> m.get("data")).containsExactly("after");

    // the slow one reads what reached it, then the close code
    slow.readAll();
    WsProbe.Close close = slow.awaitClose();
    assertThat(close.code()).isEqualTo(WebSocketSession.CLOSE_SLOW_CONSUMER);
    assertThat(close.reason()).startsWith("send queue full");
    long last = 0;
    for (String t : slow.texts) {
      for (Map<String, Object> m : ServerFixture.messages(t)) {
        last = Math.max(last, ((Number) m.get("message_id")).longValue());
      }
    }
    assertThat(last).as("the slow socket got some messages, not all").isLessThan(published);
    // it resumes from its position and gets every message it missed, each once
    WsProbe resumed = connect("slow");
    resumed.send("{\"subscribe\":{\"/big\":" + last + "}}");
    List<Object> rest = new ArrayList<>();
    while (!rest.contains("after")) {
      resumed.next().forEach(m -> rest.add(m.get("data")));
    }
    // message id k + 1 carries payload + k
    List<Object> expected = new ArrayList<>();
    for (int k = (int) last; k < published; k++) {
      expected.add(payload + k);
    }
    expected.add("after");
    assertThat(rest).isEqualTo(expected);
  }

  @Test
  void pings_areSent_andAnsweredPongsKeepTheSocketOpen() throws Exception {
    // the JDK answers each ping by itself; a pong must arrive before the next ping is due
    start(
        HttpTransportOptions.builder(),
        WebSocketOptions.builder().pingInterval(Duration.ofMillis(300)));
    WsProbe c = connect("c1");
    await().atMost(Duration.ofSeconds(20)).until(() -> c.pings.get() >= 3 || c.closed.isDone());
    assertThat(c.closed).as("still open after 3 pings").isNotDone();
    c.send("{\"subscribe\":{\"/p\":-1}}");
    c.next();
    f.bus().publish("/p", "alive");
    assertThat(c.next()).extracting(m -> m.get("data")).containsExactly("alive");
    assertThat(c.closed).isNotDone();
  }

  @Test
  void aSocketThatDoesNotAnswerPings_isClosedWith4408() throws Exception {
    start(
        HttpTransportOptions.builder(),
        WebSocketOptions.builder().pingInterval(Duration.ofMillis(50)));
    try (Socket s = new Socket("127.0.0.1", f.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(upgradeRequest("/message-bus/mute/ws", null).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101");
      int pings = 0;
      while (true) {
        int b0 = in.read();
        int len = in.read() & 0x7F;
        byte[] payload = in.readNBytes(len);
        int opcode = b0 & 0x0F;
        if (opcode == 0x9) {
          pings++;
          continue;
        }
        assertThat(opcode).as("a close frame").isEqualTo(0x8);
        int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        assertThat(code).isEqualTo(WebSocketSession.CLOSE_NO_PONG);
        assertThat(new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8))
            .startsWith("no pong within 50 ms");
        break;
      }
      assertThat(pings).isEqualTo(1);
    }
  }

  @Test
  void socketPath_withoutUpgrade_isAnswered426AtOnce_neverHeldAsAPoll() throws Exception {
    start();
    // what a WebSocket attempt becomes behind a proxy that drops the Upgrade header (nginx with its
    // defaults): a plain GET. Held as a long poll it would keep the client from falling back.
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + "/message-bus/c/ws"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(426);
    assertThat(r.headers().firstValue("Upgrade")).contains("websocket");
    assertThat(r.body()).contains("only opens a WebSocket").contains("poll instead");
    // polls on other paths of the client are unaffected
    HttpResponse<String> poll =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + f.port() + "/message-bus/c/poll?dlp=t"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("/x=-1"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(poll.statusCode()).isEqualTo(200);
    assertThat(poll.body()).contains("/__status");
  }

  static String upgradeRequest(String path, String origin) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + "\r\n";
  }

  static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      sb.append((char) b);
    }
    return sb.toString();
  }

  /** A raw upgrade request; returns the whole reply (head and body) of a refusal. */
  String rawUpgrade(String path, String origin) {
    try (Socket s = new Socket("127.0.0.1", f.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(upgradeRequest(path, origin).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String head = readHead(in);
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
      String body =
          m.find()
              ? new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8)
              : "";
      return head + body;
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
