// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.testkit.TricklingClient;

/**
 * {@link MessageBusServer} closes a connection whose request head or body does not arrive within
 * its deadline, however steadily the client trickles bytes (each byte restarts an idle timeout, so
 * before the deadlines such a connection stayed open for ever). Connections between requests, and
 * held polls, are not cut.
 */
class RequestDeadlineTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void close() {
    trickler.shutdownNow();
    bus.close();
  }

  private MessageBusServer server(Duration head, Duration body, Duration interval) {
    return MessageBusServer.builder(bus)
        .port(0)
        .httpOptions(HttpTransportOptions.builder().longPollingInterval(interval).build())
        .requestHeadTimeout(head)
        .requestBodyTimeout(body)
        .build()
        .start();
  }

  @Test
  void trickledHead_isClosedAtTheHeadDeadline() throws Exception {
    try (MessageBusServer server =
            server(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(25));
        TricklingClient slow =
            TricklingClient.trickledHead(server.port(), "/message-bus/abc/poll", WAIT)) {
      assertThat(slow.closedByServer()).isTrue();
      // Closed by the deadline (about 10 bytes in), not by the idle timeout (never, here).
      assertThat(slow.trickled()).isLessThan(100);
    }
  }

  @Test
  void trickledBody_isClosedAtTheBodyDeadline() throws Exception {
    try (MessageBusServer server =
            server(Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(25));
        TricklingClient slow =
            TricklingClient.trickledBody(server.port(), "/message-bus/abc/poll", WAIT)) {
      assertThat(slow.closedByServer()).isTrue();
      assertThat(slow.trickled()).isLessThan(100);
    }
  }

  @Test
  void requestsThatArriveWhole_armNoDeadline_aTrickledBodyDoes() throws Exception {
    try (MessageBusServer server =
            server(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(25));
        RawConnection c = RawConnection.open(server.port())) {
      // Polls with a body, answered at once (a new channel's status) and kept alive: the
      // second runs on the connection of the first.
      for (int i = 0; i < 2; i++) {
        c.send(
            RawConnection.post(
                "/message-bus/whole/poll?dlp=t",
                "application/x-www-form-urlencoded",
                "/a" + i + "=-1",
                "Dont-Chunk: 1"));
        c.awaitContains("\"/a" + i + "\"", WAIT);
      }
      // Neither request made a timer (each came in one piece).
      assertThat(server.deadlinesArmed()).isZero();

      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /message-bus/trickled/poll HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 10\r\n\r\n/a=")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        await().atMost(WAIT).until(() -> server.deadlinesArmed() == 1);
      }
    }
  }

  @Test
  void heldPoll_outlivesBothDeadlines() throws Exception {
    try (MessageBusServer server =
            server(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(1500));
        RawConnection c = RawConnection.open(server.port())) {
      c.send(
          RawConnection.post(
              "/message-bus/abc/poll",
              "application/x-www-form-urlencoded",
              "/a=",
              "Dont-Chunk: 1"));

      String raw = c.awaitContains("\r\n\r\n[]", WAIT);
      assertThat(raw).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void bodyThatArrived_isNotCut_whileASlowApplicationHasNotReadItYet() throws Exception {
    // An application filter in front of the bus that takes its time (a stand-in for a busy
    // server): the deadline is for the client's bytes, and they all came at once.
    try (MessageBusServer server =
            MessageBusServer.builder(bus)
                .port(0)
                .requestHeadTimeout(Duration.ofMillis(200))
                .requestBodyTimeout(Duration.ofMillis(200))
                .filter(
                    (req, resp, chain) -> {
                      try {
                        Thread.sleep(1000);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      chain.doFilter(req, resp);
                    })
                .build()
                .start();
        RawConnection c = RawConnection.open(server.port())) {
      c.send(
          RawConnection.post(
              "/message-bus/abc/poll?dlp=t", "application/x-www-form-urlencoded", "/a=0"));

      assertThat(c.awaitContains("\r\n\r\n[]", WAIT)).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void keptAliveConnection_waitsForItsNextRequest_longerThanTheHeadDeadline() throws Exception {
    try (MessageBusServer server =
            server(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofSeconds(25));
        RawConnection c = RawConnection.open(server.port())) {
      String poll =
          RawConnection.post(
              "/message-bus/abc/poll?dlp=t", "application/x-www-form-urlencoded", "/a=0");
      c.send(poll);
      c.awaitContains("\r\n\r\n[]", WAIT);
      // The next request comes well after the head deadline: the connection is still served.
      trickler.schedule(
          () -> {
            c.send(poll);
            return null;
          },
          1500,
          TimeUnit.MILLISECONDS);

      await().atMost(WAIT).until(() -> c.text().split("HTTP/1.1 200 ", -1).length == 3);
      assertThat(c.isClosedByServer()).isFalse();
    }
  }

  @Test
  void badDeadlines_areRejected_namingTheOption() {
    MessageBusServer.Builder b = MessageBusServer.builder(bus);
    assertThatThrownBy(() -> b.requestHeadTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requestHeadTimeout");
    assertThatThrownBy(() -> b.requestBodyTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("requestBodyTimeout");
  }

  /**
   * Jetty closes a connection whose request handling throws outside the application (its {@code
   * onFillable} catches it) and logs that only at DEBUG: the client sees its connection end without
   * an answer. The connection logs such a close at WARN with its cause, at most once per {@link
   * DeadlineHttpConnectionFactory.FailureLog#WARN_INTERVAL} (the rest at DEBUG); the client's and
   * the network's own ends (an I/O failure, a timeout) stay quiet.
   */
  @Test
  void connectionClosedByAFailureInTheServer_isLoggedAtWarn_aClientsEndIsNot() throws Exception {
    try (MessageBusServer server = server(Duration.ofSeconds(10), Duration.ofSeconds(10), WAIT);
        LogCapture log = LogCapture.start()) {
      try (Socket one = new Socket("127.0.0.1", server.port());
          Socket two = new Socket("127.0.0.1", server.port());
          Socket three = new Socket("127.0.0.1", server.port())) {
        assertThat(one.isConnected() && two.isConnected() && three.isConnected()).isTrue();
        await().atMost(WAIT).until(() -> server.connectedEndPoints().size() == 3);
        var endPoints = server.connectedEndPoints().toArray(new org.eclipse.jetty.io.EndPoint[0]);
        endPoints[0].close(new IOException("Connection reset by peer"));
        endPoints[1].close(new IllegalStateException("already released"));
        endPoints[2].close(new NullPointerException("_requestBuffer is null"));
        await().atMost(WAIT).until(() -> server.connectedEndPoints().isEmpty());
      }
      assertThat(log.at("WARN"))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .contains("closed by a failure in the server");
      // The two failures may close on two threads at once: either one is the WARN (with its
      // stack trace), the other comes within the interval and goes to DEBUG.
      assertThat(
              log.lines().stream()
                  .filter(
                      l ->
                          l.startsWith("java.lang.IllegalStateException: already released")
                              || l.startsWith("java.lang.NullPointerException: _requestBuffer"))
                  .count())
          .isEqualTo(1);
      assertThat(log.lines()).noneMatch(l -> l.contains("Connection reset by peer"));
    }
  }

  /**
   * The public factory in a Jetty server of one's own: a zero duration sets no deadline (a head
   * trickled over about a second arms none and is answered), a negative one is refused.
   */
  @Test
  void factory_zeroDurationsSetNoDeadline_negativeAreRefused() throws Exception {
    HttpConfiguration config = new HttpConfiguration();
    assertThatThrownBy(
            () -> new DeadlineHttpConnectionFactory(config, Duration.ofSeconds(-1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    DeadlineHttpConnectionFactory none =
        new DeadlineHttpConnectionFactory(config, Duration.ZERO, Duration.ZERO);
    assertThat(none.requestHeadTimeout()).isZero();
    assertThat(none.requestBodyTimeout()).isZero();

    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty, none);
    connector.setHost("127.0.0.1");
    jetty.addConnector(connector);
    jetty.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            Content.Sink.write(response, true, "served", callback);
            return true;
          }
        });
    jetty.start();
    try (RawConnection c = RawConnection.open(connector.getLocalPort())) {
      String head = "GET /x HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefghij\r\n\r\n";
      for (int i = 0; i < head.length(); i++) {
        String b = head.substring(i, i + 1);
        trickler.schedule(() -> c.send(b), 50L * i, TimeUnit.MILLISECONDS);
      }

      assertThat(c.awaitContains("served", WAIT)).startsWith("HTTP/1.1 200 ");
      assertThat(none.deadlinesArmed()).isZero();
    } finally {
      jetty.stop();
    }
  }
}
