// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Server-Sent Events over a real Jetty, once per adapter (the surefire executions): the exact
 * response head, events as the stream's client reads them, the end of a stream and its resumption
 * through {@code Last-Event-ID}, and the 4xx of bad input.
 */
class ServerSentEventsWireTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Pattern EVENT = Pattern.compile("id: ([^\r\n]*)\ndata: ([^\r\n]*)\n\n");

  private static ServerFixture start(HttpTransportOptions.Builder options) {
    return ServerFixture.start(
        options.extraResponseHeadersLookup(
            r -> Map.of("Access-Control-Allow-Origin", "https://app.example")));
  }

  /** A stream read by the JDK client: every event (id and data) as it arrives, then its end. */
  private static final class Reader implements AutoCloseable {
    final BlockingQueue<String[]> events = new LinkedBlockingQueue<>();
    final HttpResponse<InputStream> response;
    final StringBuilder comments = new StringBuilder();
    volatile boolean ended;
    private final Thread thread;

    Reader(ServerFixture f, String clientId, String query, String... headers) throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(f.uri("/message-bus/" + clientId + "/sse?" + query))
              .header("Accept", "text/event-stream");
      for (int i = 0; i + 1 < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      response = f.http.send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      thread = new Thread(this::read, "sse-test-reader");
      thread.setDaemon(true);
      thread.start();
    }

    private void read() {
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String id = null;
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("data: ")) {
            events.add(new String[] {id, line.substring(6)});
          } else if (line.startsWith(":")) {
            synchronized (comments) {
              comments.append(line).append('\n');
            }
          }
        }
      } catch (IOException e) {
        // the stream was closed by the test
      }
      ended = true;
    }

    String[] next() throws InterruptedException {
      String[] e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(e).as("an event within " + WAIT).isNotNull();
      return e;
    }

    @Override
    public void close() throws IOException {
      response.body().close();
    }
  }

  @Test
  void rawStream_hasTheEventStreamHead_andSendsEachMessageAsItsOwnEvent() throws Exception {
    try (ServerFixture f = start(HttpTransportOptions.builder().sseRetry(Duration.ofMillis(1500)));
        RawConnection c = RawConnection.open(f.port())) {
      long a1 = f.bus.publish("/a", "first");
      c.send(
          "GET /message-bus/raw/sse?%2Fa=0&%2Fb= HTTP/1.1\r\nHost: localhost\r\n"
              + "Accept: text/event-stream\r\n\r\n");

      String text = c.awaitContains("\"first\"", WAIT);
      String head = Streams.head(text);
      assertThat(head).startsWith("HTTP/1.1 200 OK\r\n");
      assertThat(head)
          .contains("\r\nContent-Type: text/event-stream; charset=utf-8\r\n")
          .contains("\r\nCache-Control: no-cache\r\n")
          .contains("\r\nX-Accel-Buffering: no\r\n")
          .contains("\r\nAccess-Control-Allow-Origin: https://app.example\r\n")
          .doesNotContainIgnoringCase("content-length");
      assertThat(Streams.rawBody(text)).contains("retry: 1500\n\n");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);

      long b1 = f.bus.publish("/b", "second");
      String after = c.awaitContains("\"second\"", WAIT);

      assertThat(events(after))
          .containsExactly(
              a1 + ",0 " + wire(a1, "/a", "first"), a1 + "," + b1 + " " + wire(b1, "/b", "second"));
      assertThat(c.isClosedByServer()).isFalse();
    }
  }

  private static List<String> events(String raw) {
    List<String> events = new ArrayList<>();
    Matcher m = EVENT.matcher(raw);
    while (m.find()) {
      events.add(m.group(1) + " " + m.group(2));
    }
    return events;
  }

  @Test
  void streamEndsAtItsMaxDuration_andAReconnectWithLastEventIdMissesNothingAndRepeatsNothing()
      throws Exception {
    try (ServerFixture f =
        start(HttpTransportOptions.builder().sseMaxDuration(Duration.ofMillis(500)))) {
      long a1 = f.bus.publish("/a", "a1");
      String lastId;
      try (Reader first = new Reader(f, "r", "%2Fa=0&%2Fb=0")) {
        assertThat(first.response.statusCode()).isEqualTo(200);
        String[] e = first.next();
        assertThat(e[1]).contains("\"a1\"");
        lastId = e[0];
        assertThat(lastId).isEqualTo(a1 + ",0");
        await().atMost(WAIT).until(() -> first.ended);
      }
      long b1 = f.bus.publish("/b", "b1");
      long a2 = f.bus.publish("/a", "a2");
      f.awaitDispatched(a2);

      // As a browser reconnects: the same URL, and the id of the last event it had.
      try (Reader second = new Reader(f, "r", "%2Fa=0&%2Fb=0", "Last-Event-ID", lastId)) {
        // The backlog comes channel by channel, in the query's order, as a poll's does.
        assertThat(second.next()).containsExactly(a2 + ",0", wire(a2, "/a", "a2"));
        assertThat(second.next()).containsExactly(a2 + "," + b1, wire(b1, "/b", "b1"));
        long b2 = f.bus.publish("/b", "b2");
        assertThat(second.next()).containsExactly(a2 + "," + b2, wire(b2, "/b", "b2"));
        assertThat(second.events).as("nothing repeated").isEmpty();
      }
    }
  }

  private static String wire(long id, String channel, String data) {
    return "{\"global_id\":"
        + id
        + ",\"message_id\":"
        + id
        + ",\"channel\":\""
        + channel
        + "\",\"data\":\""
        + data
        + "\"}";
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Last-Event-ID not a number|%2Fa=0|abc|400|Last-Event-ID does not parse",
        "Last-Event-ID count|%2Fa=0&%2Fb=0|1|400|Last-Event-ID names 1 positions for 2 channels",
        "too many channels|%2Fa=0&%2Fb=0&%2Fc=0&%2Fd=0|''|400|too many",
        "invalid channel name|a%24%7C%24b=0|''|400|invalid channel name",
      })
  void badInput_isA4xxWithAReason_nothingLoggedAtError_andANeighbourKeepsItsStream(
      String what, String query, String lastEventId, int status, String reason) throws Exception {
    try (LogCapture log = LogCapture.start();
        ServerFixture f = start(HttpTransportOptions.builder().maxChannels(3));
        Reader neighbour = new Reader(f, "n", "%2Fa=")) {
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      HttpRequest.Builder b =
          HttpRequest.newBuilder(f.uri("/message-bus/c/sse?" + query)).timeout(WAIT).GET();
      if (!lastEventId.isEmpty()) {
        b.header("Last-Event-ID", lastEventId);
      }

      HttpResponse<String> r = f.send(b.build());

      assertThat(r.statusCode()).as(what).isEqualTo(status);
      assertThat(r.body()).as(what).isNotBlank().contains(reason == null ? "" : reason);
      assertThat(r.headers().firstValue("Access-Control-Allow-Origin"))
          .as("CORS headers on the error too")
          .contains("https://app.example");
      long id = f.bus.publish("/a", "still here");
      assertThat(neighbour.next()).containsExactly(Long.toString(id), wire(id, "/a", "still here"));
      assertThat(log.at("ERROR")).isEmpty();
      assertThat(log.at("WARN")).isEmpty();
      assertThat(log.stackTraceLines()).isEmpty();
    }
  }

  @Test
  void malformedQueryEscape_is400WithAReason() throws Exception {
    try (LogCapture log = LogCapture.start();
        ServerFixture f = start(HttpTransportOptions.builder());
        RawConnection c = RawConnection.open(f.port())) {
      c.send("GET /message-bus/c/sse?%2Fa=0&%ZZ=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");

      String text = c.awaitContains("\r\n\r\n", WAIT);

      assertThat(text).startsWith("HTTP/1.1 400 ");
      assertThat(log.at("ERROR")).isEmpty();
      assertThat(log.stackTraceLines()).isEmpty();
    }
  }

  @Test
  void idleStream_sendsCommentHeartbeats_andStaysOpen() throws Exception {
    try (ServerFixture f =
            start(HttpTransportOptions.builder().sseHeartbeatInterval(Duration.ofMillis(200)));
        RawConnection c = RawConnection.open(f.port())) {
      c.send("GET /message-bus/idle/sse?%2Fa= HTTP/1.1\r\nHost: localhost\r\n\r\n");

      String text = c.awaitContains(":\n\n", WAIT);

      assertThat(Streams.rawBody(text)).doesNotContain("data:");
      assertThat(c.isClosedByServer()).isFalse();
      assertThat(f.server.filter().heldPolls()).isEqualTo(1);
    }
  }

  @Test
  void disabled_answers404_soClientsPoll() throws Exception {
    try (ServerFixture f = start(HttpTransportOptions.builder().sseEnabled(false))) {
      HttpResponse<String> r =
          f.send(HttpRequest.newBuilder(f.uri("/message-bus/c/sse?%2Fa=0")).GET().build());

      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("server-sent events are disabled");
    }
  }
}
