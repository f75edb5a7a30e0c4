// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A held long poll answered by a message leaves its connection open, so a client's next poll needs
 * no new TCP (in production, TLS) connection (issue 13, item 2); {@code closeHeldPollConnections}
 * restores Ruby's close. Over a raw socket, once per adapter (the suite's executions).
 */
class KeepAliveTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String FORM = "application/x-www-form-urlencoded";

  private static ServerFixture start(boolean closeHeldPollConnections) {
    // Far longer than any wait here: only a message can answer the poll in time.
    return ServerFixture.start(
        HttpTransportOptions.builder()
            .longPollingInterval(Duration.ofSeconds(120))
            .longPollingMinHold(Duration.ofSeconds(120)) // held the whole interval
            .closeHeldPollConnections(closeHeldPollConnections));
  }

  private static String poll(long position, int seq) {
    return RawConnection.post(
        "/message-bus/ka/poll", FORM, "/a=" + position + "&__seq=" + seq, "Dont-Chunk: true");
  }

  private static String delivery(long id, String data) {
    return "[{\"global_id\":"
        + id
        + ",\"message_id\":"
        + id
        + ",\"channel\":\"/a\",\"data\":\""
        + data
        + "\"}]";
  }

  @Test
  void twoHeldPollsEachAnsweredByAMessage_travelOverOneConnection() throws Exception {
    try (ServerFixture f = start(false);
        RawConnection c = RawConnection.open(f.port())) {
      long first = f.bus.publish("/a", "old");

      c.send(poll(first, 1));
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      long second = f.bus.publish("/a", "one");
      String afterFirst = c.awaitContains(delivery(second, "one"), WAIT);
      assertThat(afterFirst).doesNotContainIgnoringCase("connection: close");

      c.send(poll(second, 2));
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      long third = f.bus.publish("/a", "two");
      String both = c.awaitContains(delivery(third, "two"), WAIT);

      assertThat(both.split("HTTP/1.1 200 OK\r\n", -1)).hasSize(3); // two replies on one socket
      assertThat(both).endsWith(delivery(third, "two"));
      assertThat(c.isClosedByServer()).isFalse();
      // With the Jetty core handler each held poll is answered on the bus's thread, and the
      // connection then waits for the next request from there, with no hand-off to a pool thread
      // (the first poll's at least: the second's may still be completing). The Servlet adapter
      // leaves it to Jetty.
      if (ServerFixture.adapter() == MessageBusServer.Adapter.SERVLET) {
        assertThat(f.server.resumedInPlace()).isZero();
      } else {
        assertThat(f.server.resumedInPlace()).isPositive();
      }
    }
  }

  @Test
  void aStreamEndedByItsInterval_leavesItsConnectionToTheNextPoll() throws Exception {
    try (ServerFixture f =
            ServerFixture.start(
                HttpTransportOptions.builder().longPollingInterval(Duration.ofMillis(300)));
        RawConnection c = RawConnection.open(f.port())) {
      long first = f.bus.publish("/a", "old");

      c.send(RawConnection.post("/message-bus/ka/poll", FORM, "/a=" + first + "&__seq=1"));
      String stream = c.awaitContains("\r\n0\r\n\r\n", WAIT);
      assertThat(Streams.head(stream)).doesNotContainIgnoringCase("connection: close");
      long second = f.bus.publish("/a", "one");
      c.send(poll(first, 2));
      String both = c.awaitContains(delivery(second, "one"), WAIT);

      assertThat(both.split("HTTP/1.1 200 OK\r\n", -1)).hasSize(3); // a stream, then a reply
      assertThat(c.isClosedByServer()).isFalse();
      // With the Jetty core handler the stream's end lets the connection wait for the next
      // request from the bus's thread, as an answered long poll does.
      if (f.server.adapter() == MessageBusServer.Adapter.SERVLET) {
        assertThat(f.server.resumedInPlace()).isZero();
      } else {
        assertThat(f.server.resumedInPlace()).isEqualTo(1);
      }
    }
  }

  @Test
  void closeHeldPollConnections_answersWithConnectionCloseAndCloses() throws Exception {
    try (ServerFixture f = start(true);
        RawConnection c = RawConnection.open(f.port())) {
      long first = f.bus.publish("/a", "old");

      c.send(poll(first, 1));
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      long second = f.bus.publish("/a", "one");
      String raw = c.awaitClosed(WAIT);

      assertThat(raw).contains("\r\nConnection: close\r\n").endsWith(delivery(second, "one"));
    }
  }

  @Test
  void requestSentAheadWhileHeldOnAKeptConnection_closesItInsteadOfLosingTheRequest()
      throws Exception {
    try (ServerFixture f = start(false);
        RawConnection c = RawConnection.open(f.port())) {
      long first = f.bus.publish("/a", "old");

      c.send(poll(first, 1));
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      c.send(poll(first, 2)); // pipelined: its bytes reach the connection's disconnect watch

      // Neither dropped silently nor answered as if it were a body: the connection ends, and the
      // client polls again from its last message.
      c.awaitClosed(WAIT);
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 0);
    }
  }
}
