// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.messagebus.http.EngineProbe;

/**
 * On Jetty a held poll whose client closes its connection is dropped at once, not at the next write
 * or the interval (issue 11, item 7), and watching for that close leaves normal answers untouched.
 */
class HeldPollDisconnectTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String FORM = "application/x-www-form-urlencoded";

  private static ServerFixture start() {
    // Far longer than any wait here: only the client's close can end the poll in time.
    return ServerFixture.start(
        HttpTransportOptions.builder()
            .longPollingInterval(Duration.ofSeconds(120))
            .longPollingMinHold(Duration.ofSeconds(120))); // held the whole interval
  }

  private static String poll(String clientId, int seq, boolean streaming) {
    return RawConnection.post(
        "/message-bus/" + clientId + "/poll",
        FORM,
        "/a=&__seq=" + seq, // from now: held, whatever /a holds
        streaming ? "X-Silence-Logger: true" : "Dont-Chunk: true");
  }

  // java.net.http before JDK 19 sends Content-Length: 0 with every GET: Jetty parses that empty
  // body only when it is read, and such a stream was not watched until the fix.
  @ParameterizedTest(name = "extra header: \"{0}\"")
  @ValueSource(strings = {"", "Content-Length: 0\r\n"})
  void clientClosesItsEventStream_theStreamIsDroppedPromptly(String extraHeader) throws Exception {
    try (ServerFixture f = start();
        CapturedStderr log = new CapturedStderr()) {
      RawConnection c = RawConnection.open(f.port());
      c.send(
          "GET /message-bus/gone/sse?%2Fa= HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeader + "\r\n");
      await().atMost(WAIT).until(() -> f.server.filter().engine().eventStreams() == 1);
      c.awaitContains("\r\n\r\n", WAIT);

      c.close(); // a FIN, long before the stream's heartbeat or its end

      await().atMost(WAIT).until(() -> f.server.filter().engine().eventStreams() == 0);
      assertThat(log.text()).doesNotContain("WARN").doesNotContain("ERROR");
    }
  }

  @ParameterizedTest(name = "streaming = {0}")
  @ValueSource(booleans = {false, true})
  void clientClosesItsConnection_heldPollIsDroppedPromptly_andLaterMessagesGoNowhere(
      boolean streaming) throws Exception {
    try (ServerFixture f = start();
        CapturedStderr log = new CapturedStderr()) {
      RawConnection c = RawConnection.open(f.port());
      c.send(poll("gone", 1, streaming));
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      if (streaming) {
        c.awaitContains("[]", WAIT);
      }
      EngineProbe.Poll held = EngineProbe.held(f.server.filter().engine(), "gone");

      c.close(); // everything sent was read: a FIN

      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 0);
      assertThat(held.isClosed()).isTrue();
      assertThat(EngineProbe.indexedSites(f.server.filter().engine())).isZero();
      f.bus.publish("/a", "after");
      assertThat(f.pollNow("other", "/a=0"))
          .extracting(m -> m.get("data"))
          .containsExactly("after");
      assertThat(held.offer(f.bus.lastMessage("/a").orElseThrow(), f.bus))
          .as("a closed poll takes nothing")
          .isTrue();
      assertThat(log.text()).doesNotContain("WARN").doesNotContain("ERROR");
    }
  }

  @ParameterizedTest(name = "streaming = {0}")
  @ValueSource(booleans = {false, true})
  void watchedHeldPolls_answeredOrReplaced_endNormally_withoutWarnings(boolean streaming)
      throws Exception {
    try (ServerFixture f = start();
        CapturedStderr log = new CapturedStderr()) {
      for (int round = 0; round < 3; round++) {
        try (RawConnection c = RawConnection.open(f.port());
            RawConnection next = RawConnection.open(f.port())) {
          c.send(poll("ok" + round, 1, streaming));
          await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
          f.bus.publish("/a", "live" + round);
          if (streaming) {
            c.awaitContains("\"live" + round + "\"", WAIT);
            // A newer poll of the same client ends the stream with [] and the zero chunk; the
            // connection stays open for the next poll (closeHeldPollConnections is off).
            next.send(poll("ok" + round, 2, true));
            assertThat(c.awaitContains("\r\n0\r\n\r\n", WAIT)).endsWith("[]\r\n|\r\n\r\n0\r\n\r\n");
            assertThat(c.isClosedByServer()).isFalse();
          } else {
            // The connection stays open for the next poll (closeHeldPollConnections is off).
            assertThat(c.awaitContains("\"live" + round + "\"}]", WAIT))
                .endsWith("\"live" + round + "\"}]");
            next.send(poll("ok" + round, 2, false));
          }
          await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
          EngineProbe.held(f.server.filter().engine(), "ok" + round).close();
          if (streaming) {
            assertThat(next.awaitContains("\r\n0\r\n\r\n", WAIT))
                .endsWith("[]\r\n|\r\n\r\n0\r\n\r\n");
          } else {
            assertThat(next.awaitContains("\r\n\r\n[]", WAIT)).endsWith("\r\n\r\n[]");
          }
        }
      }
      assertThat(log.text()).doesNotContain("WARN").doesNotContain("ERROR");
    }
  }
}
