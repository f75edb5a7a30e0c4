// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriberTest {

  private final Tally tally = new Tally();

  private static String text(ByteBuffer b) {
    return StandardCharsets.US_ASCII.decode(b).toString();
  }

  private static String jsonReply(String body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n"
        + body;
  }

  private static void feed(Subscriber s, String reply) throws MalformedResponseException {
    byte[] b = reply.getBytes(StandardCharsets.UTF_8);
    s.read(b, 0, b.length, LoadServer.epochMicros());
  }

  private static String msg(long id, int n) {
    return "{\"global_id\":"
        + id
        + ",\"message_id\":"
        + id
        + ",\"channel\":\"/load\",\"data\":{\"n\":"
        + n
        + ",\"t\":"
        + (LoadServer.epochMicros() - 5_000)
        + "}}";
  }

  @Test
  void longPoll_buildsTheBrowsersRequest_fromMinusOne_thenFromThePositionItHolds()
      throws Exception {
    Subscriber s = new Subscriber(7, LoadArgs.parse("port=9292", "mode=longpoll"), tally);
    String first = text(s.nextPoll(System.nanoTime()));
    assertThat(first)
        .startsWith("POST /message-bus/load7/poll HTTP/1.1\r\n")
        .contains("\r\nX-SILENCE-LOGGER: true\r\n", "\r\nDont-Chunk: true\r\n")
        .contains("Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n")
        .doesNotContain("Connection:")
        .endsWith("\r\n\r\n%2Fload=-1&__seq=1");
    feed(
        s,
        jsonReply(
            "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\",\"data\":{\"/load\":4}}]"));
    assertThat(s.position()).isEqualTo(4);
    assertThat(tally.ready.get()).isEqualTo(1);
    assertThat(text(s.nextPoll(System.nanoTime()))).endsWith("%2Fload=4&__seq=2");
  }

  @Test
  void streamingAndPolling_requestsDifferAsTheBrowsers() {
    String streaming =
        text(new Subscriber(0, LoadArgs.parse("port=1"), tally).nextPoll(System.nanoTime()));
    assertThat(streaming)
        .startsWith("POST /message-bus/load0/poll HTTP/1.1")
        .doesNotContain("Dont-Chunk");
    String polling =
        text(
            new Subscriber(0, LoadArgs.parse("port=1", "mode=poll", "keepAlive=false"), tally)
                .nextPoll(System.nanoTime()));
    assertThat(polling)
        .startsWith("POST /message-bus/load0/poll?dlp=t HTTP/1.1")
        .contains("\r\nDont-Chunk: true\r\n", "\r\nConnection: close\r\n");
  }

  @Test
  void statusAfterTheMessages_setsThePosition_asTheBrowserDoes() throws Exception {
    Subscriber s = new Subscriber(0, LoadArgs.parse("port=1", "mode=longpoll", "count=10"), tally);
    s.nextPoll(System.nanoTime());
    // The server says: here are 5 and 6, and your position is 9 (7 and 8 were filtered out).
    feed(
        s,
        jsonReply(
            "["
                + msg(5, 0)
                + ","
                + msg(6, 1)
                + ",{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\",\"data\":{\"/load\":9}}]"));
    assertThat(s.position()).isEqualTo(9);
    assertThat(tally.delivered.get()).isEqualTo(2);
    assertThat(tally.latency.count()).isEqualTo(2);
  }

  @Test
  void messageAfterAnEarlierPosition_setsThePositionToItsId_evenWhenLower() throws Exception {
    Subscriber s = new Subscriber(0, LoadArgs.parse("port=1", "mode=longpoll", "count=10"), tally);
    s.nextPoll(System.nanoTime());
    feed(s, jsonReply("[" + msg(50, 0) + "]"));
    s.nextPoll(System.nanoTime());
    feed(s, jsonReply("[" + msg(3, 1) + "]")); // ids restarted (a reset store)
    assertThat(s.position()).isEqualTo(3);
  }

  @Test
  void sameIndexTwice_isADuplicate_andWarmupIsNotCounted() throws Exception {
    Subscriber s = new Subscriber(0, LoadArgs.parse("port=1", "count=10"), tally);
    s.nextPoll(System.nanoTime());
    String stream =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n";
    String pieces =
        "["
            + msg(1, -1)
            + "]\r\n|\r\n["
            + msg(2, 3)
            + "]\r\n|\r\n["
            + msg(3, 3)
            + "]\r\n|\r\n["
            + msg(4, 10)
            + "]\r\n|\r\n";
    int len = pieces.getBytes(StandardCharsets.UTF_8).length;
    feed(s, stream + Integer.toHexString(len) + "\r\n" + pieces + "\r\n");
    assertThat(tally.warmup.get()).isEqualTo(1);
    assertThat(tally.delivered.get()).isEqualTo(1);
    assertThat(tally.duplicates).isEqualTo(1);
    assertThat(tally.unexpected).isEqualTo(1);
    assertThat(s.position()).isEqualTo(4);
  }

  @Test
  void bytesWithNoPollOutstanding_areRejected() {
    Subscriber s = new Subscriber(0, LoadArgs.parse("port=1"), tally);
    assertThatThrownBy(() -> feed(s, jsonReply("[]")))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("no poll outstanding");
  }

  @Test
  void secondReplyToOnePoll_isRejected() {
    Subscriber s = new Subscriber(0, LoadArgs.parse("port=1", "mode=longpoll"), tally);
    s.nextPoll(System.nanoTime());
    assertThatThrownBy(() -> feed(s, jsonReply("[]") + jsonReply("[]")))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("second reply");
  }

  @Test
  void pollMode_waitsTheIntervalWithoutData_andOnlyTheRepollDelayWithData() throws Exception {
    LoadArgs a = LoadArgs.parse("port=1", "mode=poll", "pollIntervalMs=1000", "repollDelayMs=100");
    Subscriber s = new Subscriber(0, a, tally);
    long t0 = 1_000_000_000L;
    s.nextPoll(t0);
    feed(s, jsonReply("[]"));
    assertThat(s.nextPollAt(t0 + 10_000_000L)).isEqualTo(t0 + 1_000_000_000L);
    s.nextPoll(t0);
    feed(s, jsonReply("[" + msg(1, 0) + "]"));
    assertThat(s.nextPollAt(t0 + 10_000_000L)).isEqualTo(t0 + 110_000_000L);
  }

  @Test
  void aBrowserWithoutAConnection_saysSo_andClosingTwiceIsHarmless() throws Exception {
    Subscriber s = new Subscriber(1, LoadArgs.parse("port=9292"), tally);
    assertThat(s.connected()).isFalse();
    assertThatThrownBy(s::socket)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("load1 has no connection");
    assertThatThrownBy(s::key).isInstanceOf(IllegalStateException.class);
    try (Selector selector = Selector.open()) {
      SocketChannel ch = SocketChannel.open();
      ch.configureBlocking(false);
      s.attach(ch, ch.register(selector, 0, s));
      assertThat(s.connected()).isTrue();
      assertThat(s.socket()).isSameAs(ch);
      s.closeConnection();
      s.closeConnection();
      assertThat(ch.isOpen()).isFalse();
      assertThat(s.connected()).isFalse();
    }
  }

  private static String sseHead() {
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n";
  }

  private static String chunk(String data) {
    return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length)
        + "\r\n"
        + data
        + "\r\n";
  }

  private static void feedInPieces(Subscriber s, String bytes, int size)
      throws MalformedResponseException {
    byte[] b = bytes.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += size) {
      s.read(b, i, Math.min(size, b.length - i), LoadServer.epochMicros());
    }
  }

  @Test
  void sse_opensTheSameUrlEachTime_resumesWithLastEventId_andCountsEachMessageOnce()
      throws Exception {
    Subscriber s = new Subscriber(3, LoadArgs.parse("port=9292", "mode=sse", "count=10"), tally);
    String first = text(s.nextPoll(System.nanoTime()));
    assertThat(first)
        .startsWith("GET /message-bus/load3/sse?%2Fload=-1&__seq=1 HTTP/1.1\r\n")
        .contains("\r\nAccept: text/event-stream\r\n")
        .doesNotContain("Last-Event-ID")
        .endsWith("\r\n\r\n");
    String stream =
        "retry: 250\n\n"
            + "id: 4\ndata: {\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\","
            + "\"data\":{\"/load\":4}}\n\n"
            + ":\n\n"
            + "id: 5\ndata: "
            + msg(5, 0)
            + "\n\n"
            + "id: 6\ndata: "
            + msg(6, 1)
            + "\n\n";
    // the head, then the stream in chunks, fed in pieces that split lines, chunks and UTF-8
    feedInPieces(s, sseHead() + chunk(stream.substring(0, 40)) + chunk(stream.substring(40)), 7);
    assertThat(s.position()).isEqualTo(6);
    assertThat(tally.ready.get()).isEqualTo(1);
    assertThat(tally.delivered.get()).isEqualTo(2);
    assertThat(tally.heartbeats.get()).isEqualTo(1);
    assertThat(s.polling).as("the stream is still open").isTrue();
    // The server ends the stream: the next one opens after the stream's retry, from event 6.
    feed(s, "0\r\n\r\n");
    assertThat(s.polling).isFalse();
    assertThat(s.nextPollAt(1_000_000_000L)).isEqualTo(1_250_000_000L);
    assertThat(text(s.nextPoll(System.nanoTime())))
        .startsWith("GET /message-bus/load3/sse?%2Fload=-1&__seq=1 HTTP/1.1\r\n")
        .contains("\r\nLast-Event-ID: 6\r\n");
    // A server that sent message 6 again would be caught.
    feed(s, sseHead() + chunk("id: 6\ndata: " + msg(6, 1) + "\n\n"));
    assertThat(tally.duplicates).isEqualTo(1);
    assertThat(tally.errors).isEmpty();
  }

  @Test
  void sse_aRefusedStream_isAnError_andRetriedAfterASecond() throws Exception {
    Subscriber s = new Subscriber(0, LoadArgs.parse("port=1", "mode=sse"), tally);
    s.nextPoll(System.nanoTime());
    feed(s, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nnope");
    assertThat(s.polling).isFalse();
    assertThat(tally.errors).containsOnlyKeys("status 404");
    assertThat(s.nextPollAt(0)).isEqualTo(1_000_000_000L);
  }

  /** The client frames in {@code out}: each unmasked, as "opcode:payload". */
  private static List<String> clientFrames(ByteBuffer out) {
    List<String> frames = new ArrayList<>();
    while (out.hasRemaining()) {
      int b0 = out.get() & 0xFF;
      int b1 = out.get() & 0xFF;
      assertThat(b1 & 0x80).as("a client frame is masked").isEqualTo(0x80);
      int len = b1 & 0x7F;
      if (len == 126) {
        len = out.getShort() & 0xFFFF;
      }
      byte[] mask = new byte[4];
      out.get(mask);
      byte[] p = new byte[len];
      for (int i = 0; i < len; i++) {
        p[i] = (byte) (out.get() ^ mask[i & 3]);
      }
      frames.add((b0 & 0x0F) + ":" + new String(p, StandardCharsets.ISO_8859_1));
    }
    return frames;
  }

  private static String serverText(String json) {
    byte[] p = json.getBytes(StandardCharsets.UTF_8);
    StringBuilder f = new StringBuilder();
    f.append((char) 0x81);
    if (p.length < 126) {
      f.append((char) p.length);
    } else {
      f.append((char) 126).append((char) (p.length >>> 8)).append((char) (p.length & 0xFF));
    }
    return f + json;
  }

  private static void feedLatin1(Subscriber s, String bytes) throws MalformedResponseException {
    byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
    s.read(b, 0, b.length, LoadServer.epochMicros());
  }

  private static String upgraded(String request) {
    String key = request.replaceAll("(?s).*Sec-WebSocket-Key: ([^\r]*)\r\n.*", "$1");
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: "
        + WebSocketFrames.accept(key)
        + "\r\n\r\n";
  }

  @Test
  void websocket_upgrades_subscribesFromThePosition_answersPings_andCountsDeliveries()
      throws Exception {
    Subscriber s =
        new Subscriber(2, LoadArgs.parse("port=9292", "mode=websocket", "count=10"), tally);
    String req = text(s.nextPoll(System.nanoTime()));
    assertThat(req)
        .startsWith("GET /message-bus/load2/ws HTTP/1.1\r\n")
        .contains(
            "\r\nUpgrade: websocket\r\n",
            "\r\nConnection: Upgrade\r\n",
            "\r\nSec-WebSocket-Version: 13\r\n",
            "\r\nOrigin: http://127.0.0.1:9292\r\n");
    // The 101 and the first frames in one read.
    feedLatin1(
        s,
        upgraded(req)
            + serverText(
                "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\",\"data\":{\"/load\":4}}]"));
    assertThat(clientFrames(s.out)).containsExactly("1:{\"subscribe\":{\"/load\":-1}}");
    assertThat(s.position()).isEqualTo(4);
    assertThat(tally.ready.get()).isEqualTo(1);
    // A message fragmented in three, a ping between its fragments, all split across reads.
    String m = "[" + msg(5, 0) + "]";
    String frames =
        (char) 0x01
            + String.valueOf((char) 10)
            + m.substring(0, 10)
            + (char) 0x89
            + (char) 2
            + "hi"
            + (char) 0x00
            + (char) 10
            + m.substring(10, 20)
            + (char) 0x80
            + (char) (m.length() - 20)
            + m.substring(20)
            + serverText("[" + msg(6, 1) + "]");
    byte[] b = frames.getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < b.length; i += 5) {
      s.read(b, i, Math.min(5, b.length - i), LoadServer.epochMicros());
    }
    assertThat(tally.delivered.get()).isEqualTo(2);
    assertThat(s.position()).isEqualTo(6);
    assertThat(clientFrames(s.out)).containsExactly("10:hi");
    // The server closes: the browser answers, and the end of the connection is no loss.
    feedLatin1(s, "" + (char) 0x88 + (char) 2 + (char) 0x11 + (char) 0x4D);
    assertThat(clientFrames(s.out)).containsExactly("8:" + (char) 0x11 + (char) 0x4D);
    assertThat(s.eof()).isFalse();
    assertThat(s.polling).isFalse();
    assertThat(tally.errors).containsOnlyKeys("websocket closed 4429");
    // The next socket subscribes from the position held.
    s.resetConnection();
    String again = text(s.nextPoll(System.nanoTime()));
    feedLatin1(s, upgraded(again));
    assertThat(clientFrames(s.out)).containsExactly("1:{\"subscribe\":{\"/load\":6}}");
    assertThat(s.eof()).as("a socket that ends without a close frame was lost").isTrue();
  }

  @Test
  void websocket_aWrongAcceptValue_isMalformed_andARefusedUpgradeAnError() throws Exception {
    Subscriber s = new Subscriber(0, LoadArgs.parse("port=1", "mode=websocket"), tally);
    s.nextPoll(System.nanoTime());
    assertThatThrownBy(
            () -> feed(s, "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: nope\r\n\r\n"))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("does not match the key");
    Subscriber t = new Subscriber(0, LoadArgs.parse("port=1", "mode=websocket"), tally);
    t.nextPoll(System.nanoTime());
    feed(t, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
    assertThat(tally.errors).containsOnlyKeys("status 404");
    assertThat(t.polling).isFalse();
    assertThat(t.nextPollAt(0)).isEqualTo(1_000_000_000L);
  }
}
