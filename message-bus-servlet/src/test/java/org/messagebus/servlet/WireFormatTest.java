// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exact bytes on the wire (SPEC Appendix A, §4.7, §4.12), over raw sockets to a real Jetty. */
class WireFormatTest {

  private static final String FORM = "application/x-www-form-urlencoded";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AtomicInteger lookups = new AtomicInteger();
  private ServerFixture f;

  @BeforeEach
  void start() {
    // Short: the stream tests wait for the interval's closing piece.
    f = ServerFixture.start(options(Duration.ofMillis(600)));
  }

  private HttpTransportOptions.Builder options(Duration longPollingInterval) {
    return HttpTransportOptions.builder()
        .longPollingInterval(longPollingInterval)
        .allowBroadcast(true)
        .userIdLookup(
            r -> {
              lookups.incrementAndGet();
              return null;
            })
        .extraResponseHeadersLookup(r -> Map.of("Access-Control-Allow-Origin", "*"));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void immediatePoll_isByteIdenticalToAppendixA() throws Exception {
    f.bus.publish("/foo", "hello");
    f.bus.publish("/foo", "world");

    String raw = exchange("/message-bus/abc/poll?dlp=t", FORM, "/foo=0&/bar=-1&__seq=1");

    assertThat(raw)
        .isEqualTo(
            "HTTP/1.1 200 OK\r\n"
                + "Cache-Control: must-revalidate, private, max-age=0\r\n"
                + "Content-Type: application/json; charset=utf-8\r\n"
                + "Pragma: no-cache\r\n"
                + "Expires: 0\r\n"
                + "Access-Control-Allow-Origin: *\r\n"
                + "Content-Length: 200\r\n"
                + "Connection: close\r\n"
                + "\r\n"
                + "[{\"global_id\":1,\"message_id\":1,\"channel\":\"/foo\",\"data\":\"hello\"},"
                + "{\"global_id\":2,\"message_id\":2,\"channel\":\"/foo\",\"data\":\"world\"},"
                + "{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\",\"data\":{\"/bar\":0}}]");
  }

  @Test
  void heldPoll_answeredByLiveMessage_isAppendixAWithoutConnectionClose() throws Exception {
    // Held far longer than the wait for it: with 600 ms, a loaded machine could miss the whole
    // window in which the poll is held, and the poll then ends with [] at its interval.
    f.close();
    f = ServerFixture.start(options(Duration.ofSeconds(60)));
    String body = "[{\"global_id\":6,\"message_id\":6,\"channel\":\"/foo\",\"data\":\"live3\"}]";

    String raw = heldPollAnsweredByLive3(c -> c.awaitContains(body, WAIT));

    // Ruby's bytes but for its Connection: close, which closeHeldPollConnections restores: the
    // connection stays open for the next poll (KeepAliveTest sends it).
    assertThat(raw)
        .isEqualTo(
            "HTTP/1.1 200 OK\r\n"
                + "Cache-Control: must-revalidate, private, max-age=0\r\n"
                + "Pragma: no-cache\r\n"
                + "Expires: 0\r\n"
                + "Access-Control-Allow-Origin: *\r\n"
                + "Content-Type: application/json; charset=utf-8\r\n"
                + "Content-Length: 64\r\n"
                + "\r\n"
                + body);
  }

  @Test
  void heldPoll_closeHeldPollConnections_isByteIdenticalToAppendixA() throws Exception {
    f.close();
    f = ServerFixture.start(options(Duration.ofSeconds(60)).closeHeldPollConnections(true));

    String raw = heldPollAnsweredByLive3(c -> c.awaitClosed(WAIT));

    assertThat(raw)
        .isEqualTo(
            "HTTP/1.1 200 OK\r\n"
                + "Cache-Control: must-revalidate, private, max-age=0\r\n"
                + "Pragma: no-cache\r\n"
                + "Expires: 0\r\n"
                + "Access-Control-Allow-Origin: *\r\n"
                // Ruby writes connection: close before the content headers; Jetty writes it
                // last. Header order carries no meaning in HTTP.
                + "Content-Type: application/json; charset=utf-8\r\n"
                + "Content-Length: 64\r\n"
                + "Connection: close\r\n"
                + "\r\n"
                + "[{\"global_id\":6,\"message_id\":6,\"channel\":\"/foo\",\"data\":\"live3\"}]");
  }

  /** Five old messages, a poll held at the fifth, then "live3": what {@code read} returns. */
  private String heldPollAnsweredByLive3(java.util.function.Function<RawConnection, String> read)
      throws Exception {
    for (int i = 0; i < 5; i++) {
      f.bus.publish("/foo", "old" + i);
    }
    try (RawConnection c = RawConnection.open(f.port())) {
      c.send(
          RawConnection.post("/message-bus/abc/poll", FORM, "/foo=5&__seq=1", "Dont-Chunk: true"));
      await(() -> f.server.filter().heldPolls() == 1);
      f.bus.publish("/foo", "live3");
      return read.apply(c);
    }
  }

  /**
   * Ruby's framing either way. A request that says {@code Connection: close} (the Ruby gem's {@code
   * MessageBus::HTTPClient} does on every poll) gets Ruby's bytes, {@code Connection: close}
   * included, and the connection closes after the zero chunk; any other gets the same bytes without
   * that field, and the connection carries its next poll.
   */
  @ParameterizedTest(name = "Connection: close in the request = {0}")
  @ValueSource(booleans = {true, false})
  void stream_fromMinusOne_twoLiveMessagesThenTimeout_matchesSpecFraming(boolean requestSaysClose)
      throws Exception {
    for (int i = 0; i < 3; i++) {
      f.bus.publish("/foo", "old" + i);
    }
    String[] close = requestSaysClose ? new String[] {"Connection: close"} : new String[0];
    try (RawConnection c = RawConnection.open(f.port())) {
      c.send(RawConnection.post("/message-bus/abc/poll", FORM, "/foo=-1&__seq=1", close));
      c.awaitContains("/__status", WAIT);
      await(() -> f.server.filter().heldPolls() == 1);
      // Back to back: even when both reach the client's lane together, each is its own chunk.
      f.bus.publish("/foo", "live1");
      f.bus.publish("/foo", "live2");
      String raw;
      if (requestSaysClose) {
        // Ruby's byte stream: the server closes the connection after the zero chunk.
        raw = c.awaitClosed(WAIT);
      } else {
        raw = c.awaitContains("\r\n0\r\n\r\n", WAIT);
      }

      assertThat(Streams.head(raw))
          .isEqualTo(
              "HTTP/1.1 200 OK\r\n"
                  + "Cache-Control: must-revalidate, private, max-age=0\r\n"
                  + "Pragma: no-cache\r\n"
                  + "Expires: 0\r\n"
                  + "Access-Control-Allow-Origin: *\r\n"
                  // Ruby writes connection: close before the content headers; Jetty writes it
                  // last. Header order carries no meaning in HTTP.
                  + "Content-Type: text/plain; charset=utf-8\r\n"
                  + "Transfer-Encoding: chunked\r\n"
                  + "X-Content-Type-Options: nosniff\r\n"
                  + "X-Accel-Buffering: no"
                  + (requestSaysClose ? "\r\nConnection: close" : ""));
      assertThat(raw).endsWith("\r\n\r\n7\r\n[]\r\n|\r\n\r\n0\r\n\r\n");
      List<String[]> chunks = Streams.chunks(Streams.rawBody(raw));
      assertThat(chunks).extracting(c0 -> c0[0]).containsExactly("4f", "45", "45", "7", "0");
      assertThat(chunks)
          .extracting(c0 -> c0[1])
          .containsExactly(
              "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\",\"data\":{\"/foo\":3}}]"
                  + "\r\n|\r\n",
              "[{\"global_id\":4,\"message_id\":4,\"channel\":\"/foo\",\"data\":\"live1\"}]\r\n|\r\n",
              "[{\"global_id\":5,\"message_id\":5,\"channel\":\"/foo\",\"data\":\"live2\"}]\r\n|\r\n",
              "[]\r\n|\r\n",
              "");
      if (!requestSaysClose) {
        // The next poll on the same connection: answered there, after the stream's zero chunk.
        c.send(RawConnection.post("/message-bus/abc/poll?dlp=t", FORM, "/foo=5&__seq=2"));
        String both = c.awaitContains("\r\n\r\n[]", WAIT);
        assertThat(both.substring(raw.length())).startsWith("HTTP/1.1 200 OK\r\n").endsWith("[]");
        assertThat(c.isClosedByServer()).isFalse();
      }
    }
  }

  @Test
  void stream_upToDateThenTimeout_sendsEmptyArrayTwiceThenTerminator() throws Exception {
    f.bus.publish("/foo", "x");
    try (RawConnection c = RawConnection.open(f.port())) {
      c.send(RawConnection.post("/message-bus/abc/poll", FORM, "/foo=1&__seq=1"));
      String raw = c.awaitContains("\r\n0\r\n\r\n", WAIT);

      assertThat(Streams.rawBody(raw))
          .isEqualTo("7\r\n[]\r\n|\r\n\r\n7\r\n[]\r\n|\r\n\r\n0\r\n\r\n");
    }
  }

  @Test
  void stream_dataContainingSeparator_isEscapedAndRoundTrips() throws Exception {
    // Held far longer than the wait (with 600 ms a loaded machine could end the stream before the
    // message is dispatched); the stream is ended by the same client's next poll instead.
    f.close();
    f = ServerFixture.start(options(Duration.ofSeconds(60)));
    try (RawConnection c = RawConnection.open(f.port());
        RawConnection next = RawConnection.open(f.port())) {
      c.send(RawConnection.post("/message-bus/abc/poll", FORM, "/foo=0&__seq=1"));
      await(() -> f.server.filter().heldPolls() == 1);
      f.bus.publish("/foo", "a|\r\n|\r\n|b");
      c.awaitContains("b\"}]\r\n|\r\n", WAIT);
      next.send(RawConnection.post("/message-bus/abc/poll", FORM, "/foo=1&__seq=2"));
      String raw = c.awaitContains("\r\n0\r\n\r\n", WAIT);

      // JSON escapes CR and LF, so the separator never appears inside a piece.
      assertThat(Streams.pieces(raw))
          .containsExactly(
              "[]",
              "[{\"global_id\":1,\"message_id\":1,\"channel\":\"/foo\",\"data\":\"a|\\r\\n|\\r\\n|b\"}]",
              "[]");
    }
  }

  @Test
  void options_answersOkWithHeaders_withoutCallingLookups() throws Exception {
    String raw = exchange("OPTIONS", "/message-bus/abc/poll", null, "");

    assertThat(raw)
        .isEqualTo(
            "HTTP/1.1 200 OK\r\n"
                + "Cache-Control: must-revalidate, private, max-age=0\r\n"
                + "Content-Type: application/json; charset=utf-8\r\n"
                + "Pragma: no-cache\r\n"
                + "Expires: 0\r\n"
                + "Access-Control-Allow-Origin: *\r\n"
                + "Content-Length: 2\r\n"
                + "Connection: close\r\n"
                + "\r\n"
                + "OK");
    assertThat(lookups).hasValue(0);
  }

  @Test
  void missingClientId_is404NotFound_withoutExtraHeaders() throws Exception {
    String raw = exchange("/message-bus/?dlp=t", FORM, "");

    assertThat(raw).startsWith("HTTP/1.1 404 ");
    assertThat(raw).endsWith("\r\n\r\nnot found");
    assertThat(raw).doesNotContain("Access-Control-Allow-Origin");
  }

  @Test
  void broadcast_publishesAndAnswersSent() throws Exception {
    String raw = exchange("/message-bus/broadcast", FORM, "channel=%2Fnews&data=hi");

    assertThat(raw).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(raw).containsIgnoringCase("Content-Type: text/html");
    assertThat(raw).endsWith("\r\n\r\nsent");
    assertThat(f.bus.backlog("/news", 0)).extracting(m -> m.data()).containsExactly("hi");
  }

  @Test
  void responses_neverSetCookies_norRepeatAHeader() throws Exception {
    String immediate = exchange("/message-bus/abc?dlp=t", FORM, "/a=-1");
    String held;
    try (RawConnection c = RawConnection.open(f.port())) {
      c.send(RawConnection.post("/message-bus/abc", FORM, "/a=0&__seq=2"));
      held = c.awaitContains("\r\n0\r\n\r\n", WAIT);
    }

    for (String raw : List.of(immediate, held)) {
      List<String> names = Streams.headerNames(raw);
      assertThat(names).doesNotHaveDuplicates().doesNotContain("set-cookie");
    }
  }

  private String exchange(String path, String contentType, String body) throws Exception {
    return exchange("POST", path, contentType, body);
  }

  private String exchange(String method, String path, String contentType, String body)
      throws Exception {
    try (RawConnection c = RawConnection.open(f.port())) {
      String request =
          RawConnection.post(path, contentType, body, "Connection: close")
              .replaceFirst("^POST", method);
      c.send(request);
      return c.awaitClosed(WAIT);
    }
  }

  private static void await(java.util.concurrent.Callable<Boolean> condition) {
    org.awaitility.Awaitility.await().atMost(WAIT).until(condition);
  }
}
