// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
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
}
