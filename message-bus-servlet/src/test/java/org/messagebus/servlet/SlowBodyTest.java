// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.messagebus.MessageBus;

/**
 * The filter reads poll and broadcast bodies with non-blocking I/O: clients that send their body
 * slowly, or stop half-way, hold no container thread, so other polls are still answered. (With a
 * blocking read each of them held a thread until the idle timeout.)
 */
class SlowBodyTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String FORM = "application/x-www-form-urlencoded";

  @Test
  void stalledBodies_holdNoThread_andOtherPollsAreAnswered() throws Exception {
    MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    List<RawConnection> stalled = new ArrayList<>();
    try (ServerFixture f =
        new ServerFixture(
            bus,
            MessageBusServer.builder(bus)
                .port(0)
                .maxThreads(8)
                .requestBodyTimeout(Duration.ofSeconds(60)))) {
      // Many more stalled bodies than the pool has threads.
      for (int i = 0; i < 24; i++) {
        RawConnection c = RawConnection.open(f.port());
        stalled.add(c);
        c.send(
            "POST /message-bus/s"
                + i
                + "/poll?dlp=t HTTP/1.1\r\nHost: x\r\nContent-Type: "
                + FORM
                + "\r\nContent-Length: 100\r\n\r\n/a=0");
      }
      bus.publish("/news", "hello");

      HttpResponse<String> r =
          f.pollAsync("/message-bus/ok/poll?dlp=t", "/news=0")
              .get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(ServerFixture.messages(r.body()))
          .extracting(m -> m.get("data"))
          .containsExactly("hello");
    } finally {
      for (RawConnection c : stalled) {
        c.close();
      }
    }
  }

  /**
   * The endpoint's options: with a user lookup (which may block), the Jetty core handler is a
   * blocking one and reads bodies on a worker thread; without one, polls are read and answered on
   * Jetty's I/O thread.
   */
  private static HttpTransportOptions.Builder options(boolean lookup) {
    HttpTransportOptions.Builder b = HttpTransportOptions.builder();
    return lookup ? b.userIdFromRequest(r -> r.header("X-User")) : b;
  }

  @ParameterizedTest(name = "lookup {0}")
  @ValueSource(booleans = {false, true})
  void bodyArrivingInPieces_isReadWhole(boolean lookup) throws Exception {
    try (ServerFixture f = ServerFixture.start(options(lookup));
        RawConnection c = RawConnection.open(f.port())) {
      long id = f.bus.publish("/pieces", "whole");
      String body = "/pieces=" + (id - 1) + "&/other=0";
      c.send(
          "POST /message-bus/p/poll?dlp=t HTTP/1.1\r\nHost: x\r\nContent-Type: "
              + FORM
              + "\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body.substring(0, 5));
      // The server has nothing to answer until the rest arrives.
      c.send(body.substring(5));

      String raw = c.awaitContains("\"whole\"", WAIT);
      assertThat(raw).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void broadcastBodyArrivingInPieces_isReadWhole() throws Exception {
    // Without lookups the Jetty core handler runs on Jetty's I/O thread and hands a broadcast to a
    // worker, after reading there what has come of its body; the worker reads the rest.
    try (ServerFixture f =
            ServerFixture.start(HttpTransportOptions.builder().allowBroadcast(true));
        RawConnection c = RawConnection.open(f.port())) {
      String body = "channel=%2Fpieces&data=whole-body";
      c.send(
          "POST /message-bus/broadcast HTTP/1.1\r\nHost: x\r\nContent-Type: "
              + FORM
              + "\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body.substring(0, 9));
      c.send(body.substring(9));

      // the reply comes once the message is published
      assertThat(c.awaitContains("\r\n\r\nsent", WAIT)).startsWith("HTTP/1.1 200 ");
      assertThat(f.bus.backlog("/pieces", 0))
          .extracting(m -> m.data())
          .containsExactly("whole-body");
    }
  }

  @ParameterizedTest(name = "lookup {0}")
  @ValueSource(booleans = {false, true})
  void bodyLongerThanTheInputBuffer_arrivingInPiecesAfterContinue_isReadWhole(boolean lookup)
      throws Exception {
    try (ServerFixture f = ServerFixture.start(options(lookup));
        RawConnection c = RawConnection.open(f.port())) {
      List<String> wanted = new ArrayList<>();
      String body = longBody(f.bus, wanted);
      c.send(
          "POST /message-bus/p/poll?dlp=t HTTP/1.1\r\nHost: x\r\nContent-Type: "
              + FORM
              + "\r\nExpect: 100-continue\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n");
      // The interim answer is sent when the server first reads the body: it has none yet and
      // waits for it, so the body arrives while a read is pending, in pieces longer than the
      // input buffer.
      c.awaitContains("HTTP/1.1 100 Continue", WAIT);
      int third = body.length() / 3;
      c.send(body.substring(0, third));
      c.send(body.substring(third, 2 * third));
      c.send(body.substring(2 * third));

      assertAnswersAll(c, wanted);
    }
  }

  @ParameterizedTest(name = "lookup {0}")
  @ValueSource(booleans = {false, true})
  void chunkedBodyLongerThanTheInputBuffer_isReadWhole(boolean lookup) throws Exception {
    try (ServerFixture f = ServerFixture.start(options(lookup));
        RawConnection c = RawConnection.open(f.port())) {
      List<String> wanted = new ArrayList<>();
      String body = longBody(f.bus, wanted);
      c.send(
          "POST /message-bus/p/poll?dlp=t HTTP/1.1\r\nHost: x\r\nContent-Type: "
              + FORM
              + "\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n");
      c.awaitContains("HTTP/1.1 100 Continue", WAIT);
      // chunks of 1.5 input buffers, each in its own write: chunk boundaries and buffer
      // boundaries fall in different places
      int size = MessageBusServer.DEFAULT_INPUT_BUFFER_SIZE * 3 / 2;
      for (int p = 0; p < body.length(); p += size) {
        String piece = body.substring(p, Math.min(body.length(), p + size));
        c.send(Integer.toHexString(piece.length()) + "\r\n" + piece + "\r\n");
      }
      c.send("0\r\n\r\n");

      assertAnswersAll(c, wanted);
    }
  }

  /**
   * A poll body of about four input buffers. Every tenth channel has a message waiting (its data
   * added to {@code wanted}), so a piece of the body lost or garbled anywhere loses a message.
   */
  private static String longBody(MessageBus bus, List<String> wanted) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; body.length() < 4 * MessageBusServer.DEFAULT_INPUT_BUFFER_SIZE; i++) {
      if (body.length() > 0) {
        body.append('&');
      }
      if (i % 10 == 0) {
        String data = "m" + i;
        long id = bus.publish("/w" + i, data);
        body.append("/w").append(i).append('=').append(id - 1);
        wanted.add(data);
      } else {
        body.append("/other-").append(i).append("=-1");
      }
    }
    return body.toString();
  }

  /**
   * Waits for the poll's answer (a JSON array) and checks it has every wanted message (besides the
   * status message that the channels asked from -1 may bring).
   */
  private static void assertAnswersAll(RawConnection c, List<String> wanted) {
    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> c.text().endsWith("]"));
    String raw = c.text();
    assertThat(raw).contains("HTTP/1.1 200 ");
    assertThat(ServerFixture.messages(raw.substring(raw.lastIndexOf("\r\n\r\n") + 4)))
        .filteredOn(m -> String.valueOf(m.get("channel")).startsWith("/w"))
        .extracting(m -> m.get("data"))
        .containsExactlyInAnyOrderElementsOf(wanted);
  }
}
