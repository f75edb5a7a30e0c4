// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streamed pieces reach a client as Ruby's server sends them (SPEC §4.12): each piece is exactly
 * one complete HTTP chunk (size line, data, CRLF) sent before the next piece is written, also for a
 * request that says {@code Connection: close}, as the Ruby gem's {@code MessageBus::HTTPClient}
 * does on every poll (issue 11, item 9).
 *
 * <p>The reader here handles one piece per chunk, and a chunk once it is complete, trailing CRLF
 * included. After every burst it must have handled every message of the burst while the stream is
 * still open: a piece shared with another in one chunk, a body without chunked framing, or a chunk
 * whose CRLF waits for the next piece would leave a message behind.
 */
class StreamFramingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int BURSTS = 20;

  @ParameterizedTest(name = "Connection: close in the request = {0}")
  @ValueSource(booleans = {false, true})
  void burstsOnTwoChannels_everyPieceIsItsOwnCompleteChunk_handledWithoutWaiting(
      boolean requestSaysClose) throws Exception {
    try (ServerFixture f =
            ServerFixture.start(
                HttpTransportOptions.builder()
                    .longPollingInterval(Duration.ofSeconds(60))
                    .longPollingMinHold(Duration.ofSeconds(60)));
        RawConnection c = RawConnection.open(f.port())) {
      c.send(
          RawConnection.post(
              "/message-bus/ruby/poll",
              "application/json",
              "{\"/a\":-1,\"/b\":-1}",
              requestSaysClose ? "Connection: close" : "X-Silence-Logger: true"));
      await().atMost(WAIT).until(() -> handled(c.text()).size() == 1);
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      assertThat(Streams.head(c.text())).containsIgnoringCase("\r\nTransfer-Encoding: chunked");

      for (int burst = 0; burst < BURSTS; burst++) {
        for (int i = 0; i < 5; i++) {
          f.bus.publish("/a", "a" + burst + "." + i);
          f.bus.publish("/b", "b" + burst + "." + i);
        }
        int expected = 1 + 10 * (burst + 1);
        int b = burst;
        await()
            .atMost(WAIT)
            .alias("burst " + b + " handled by a one-piece-per-chunk reader")
            .until(() -> handled(c.text()).size() == expected);
      }

      List<String> pieces = handled(c.text());
      assertThat(pieces.get(pieces.size() - 1)).contains("\"b" + (BURSTS - 1) + ".4\"");
      for (String[] chunk : Streams.chunks(Streams.rawBody(c.text()))) {
        assertThat(chunk[1].indexOf(Wire.SEPARATOR))
            .as("one piece per chunk: %s", chunk[1])
            .isEqualTo(chunk[1].length() - Wire.SEPARATOR.length());
      }
      assertThat(c.isClosedByServer()).isFalse();
    }
  }

  /**
   * The pieces a client handles that takes one piece out of each chunk, once the chunk is complete
   * with its trailing CRLF; what a chunk holds beyond its first piece waits for the next chunk.
   */
  private static List<String> handled(String raw) {
    List<String> pieces = new ArrayList<>();
    if (!Streams.head(raw).toLowerCase().contains("\r\ntransfer-encoding: chunked")) {
      return pieces;
    }
    String body = Streams.rawBody(raw);
    StringBuilder buffer = new StringBuilder();
    int i = 0;
    while (true) {
      int eol = body.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      int size = Integer.parseInt(body.substring(i, eol), 16);
      int end = eol + 2 + size;
      if (size == 0 || end + 2 > body.length()) {
        break;
      }
      assertThat(body.substring(end, end + 2)).as("chunk trailer").isEqualTo("\r\n");
      buffer.append(body, eol + 2, end);
      int sep = buffer.indexOf(Wire.SEPARATOR);
      if (sep >= 0) {
        pieces.add(buffer.substring(0, sep));
        buffer.delete(0, sep + Wire.SEPARATOR.length());
      }
      i = end + 2;
    }
    return pieces;
  }
}
