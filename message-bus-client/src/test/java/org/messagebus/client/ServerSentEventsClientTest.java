// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * The client's Server-Sent Events transport against our real server (memory backend): delivery over
 * one stream, resumption with {@code Last-Event-ID} when the server ends streams, and the fallback
 * to long polling when the server refuses them. What reached the server is recorded by the
 * extra-headers lookup, which sees every bus request.
 */
class ServerSentEventsClientTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** One bus request as the server saw it: path and the headers of interest. */
  record Seen(String path, String lastEventId, String custom) {}

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final List<Throwable> pollFailures = new CopyOnWriteArrayList<>();
  private final List<MessageBusClient> clients = new ArrayList<>();
  private MessageBusServer server;

  private void start(HttpTransportOptions.Builder options) {
    server =
        MessageBusServer.builder(bus)
            .port(0)
            .httpOptions(
                options
                    .extraResponseHeadersLookup(
                        r -> {
                          String last = r.getHeader("Last-Event-ID");
                          String custom = r.getHeader("X-Custom");
                          seen.add(
                              new Seen(
                                  r.getRequestURI(),
                                  last == null ? "" : last,
                                  custom == null ? "" : custom));
                          return Map.of();
                        })
                    .build())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    clients.forEach(MessageBusClient::close);
    if (server != null) {
      server.close();
    }
    bus.close();
  }

  private MessageBusClient client() {
    MessageBusClient c =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + server.port() + "/"))
            .transport(MessageBusClient.Transport.SERVER_SENT_EVENTS)
            .header("X-Custom", "sent")
            .minPollInterval(Duration.ofMillis(20))
            .maxPollInterval(Duration.ofMillis(500))
            .errorListener(
                new ClientErrorListener() {
                  @Override
                  public void onPollFailed(Throwable error, int consecutive, Duration retryIn) {
                    pollFailures.add(error);
                  }
                })
            .build();
    clients.add(c);
    return c;
  }

  private static ClientMessage next(BlockingQueue<ClientMessage> q) throws InterruptedException {
    ClientMessage m = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(m).as("a message within " + WAIT).isNotNull();
    return m;
  }

  @Test
  void messagesOfSeveralChannels_arriveOverOneStream_withTheClientsHeaders() throws Exception {
    start(HttpTransportOptions.builder());
    MessageBusClient c = client();
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/a", -1, got::add);
    c.subscribe("/b", -1, got::add);
    await().atMost(WAIT).until(() -> server.filter().heldPolls() == 1);
    int requests = seen.size();

    for (int i = 0; i < 5; i++) {
      bus.publish("/a", "a" + i);
      bus.publish("/b", "b" + i);
    }

    for (int i = 0; i < 5; i++) {
      assertThat(next(got).data()).isEqualTo("a" + i);
      assertThat(next(got).data()).isEqualTo("b" + i);
    }
    assertThat(seen.size())
        .as("no further request: one stream carried them all")
        .isEqualTo(requests);
    assertThat(seen)
        .allMatch(s -> s.path().endsWith("/sse"))
        .allMatch(s -> s.custom().equals("sent"));
  }

  @Test
  void streamsEndedByTheServer_areResumedWithLastEventId_withoutLossOrDuplicate() throws Exception {
    start(
        HttpTransportOptions.builder()
            .sseMaxDuration(Duration.ofMillis(300))
            .sseRetry(Duration.ofMillis(50)));
    MessageBusClient c = client();
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/a", -1, got::add);
    c.subscribe("/b", -1, got::add);
    await().atMost(WAIT).until(() -> server.filter().heldPolls() == 1);

    // Publish across several ends of stream: each message once the previous one arrived.
    List<String> received = new ArrayList<>();
    int n = 0;
    while (seen.stream().filter(s -> !s.lastEventId().isEmpty()).count() < 3 && n < 20_000) {
      String channel = n % 2 == 0 ? "/a" : "/b";
      bus.publish(channel, channel + n);
      received.add((String) next(got).data());
      n++;
    }
    for (int i = n; i < n + 5; i++) {
      bus.publish("/a", "/a" + i);
    }
    for (int i = n; i < n + 5; i++) {
      received.add((String) next(got).data());
    }

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add((i % 2 == 0 ? "/a" : "/b") + i);
    }
    for (int i = n; i < n + 5; i++) {
      expected.add("/a" + i);
    }
    assertThat(received).containsExactlyElementsOf(expected);
    assertThat(got.poll(200, TimeUnit.MILLISECONDS)).as("no duplicate").isNull();
    assertThat(seen.stream().filter(s -> !s.lastEventId().isEmpty()))
        .as("reconnections resumed with Last-Event-ID")
        .hasSizeGreaterThanOrEqualTo(3)
        .allMatch(s -> s.lastEventId().matches("-?\\d+,-?\\d+"));
    assertThat(pollFailures).as("a planned end is no failure: no error backoff").isEmpty();
  }

  @Test
  void closedClient_itsStreamEndsOnTheServerAtOnce() throws Exception {
    // The stream would last ten minutes and send a heartbeat every minute: only the client's
    // closing its connection can end it within the wait. On JDK 17 the stream's GET carries
    // Content-Length: 0, which the server's disconnect watch once refused to watch.
    start(
        HttpTransportOptions.builder()
            .sseMinDuration(Duration.ofMinutes(10))
            .sseMaxDuration(Duration.ofMinutes(10))
            .sseHeartbeatInterval(Duration.ofMinutes(1)));
    MessageBusClient c = client();
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/a", -1, got::add);
    await().atMost(WAIT).until(() -> server.filter().engine().eventStreams() == 1);
    bus.publish("/a", "live");
    assertThat(next(got).data()).isEqualTo("live");

    c.close();

    // WAIT is far below the stream's heartbeat (1 min) and end (10 min)
    await().atMost(WAIT).until(() -> server.filter().engine().eventStreams() == 0);
    assertThat(server.filter().heldPolls()).isZero();
  }

  @Test
  void serverRestart_theClientBacksOffThenResumesTheStream_andItsFailureCountReturnsToZero()
      throws Exception {
    start(HttpTransportOptions.builder());
    int port = server.port();
    MessageBusClient c = client();
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/a", -1, got::add);
    await().atMost(WAIT).until(() -> server.filter().heldPolls() == 1);
    bus.publish("/a", "before");
    assertThat(next(got).data()).isEqualTo("before");

    server.close();
    await().atMost(WAIT).until(() -> c.consecutiveFailures() >= 1);
    bus.publish("/a", "while down");
    server = MessageBusServer.builder(bus).port(port).build().start();

    assertThat(next(got).data()).isEqualTo("while down");
    await().atMost(WAIT).until(() -> c.consecutiveFailures() == 0);
    bus.publish("/a", "after");
    assertThat(next(got).data()).isEqualTo("after");
  }

  @Test
  void serverThatRefusesEvents_theClientLongPollsInstead() throws Exception {
    start(HttpTransportOptions.builder().sseEnabled(false));
    MessageBusClient c = client();
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/a", -1, got::add);
    await().atMost(WAIT).until(() -> server.filter().heldPolls() == 1);

    bus.publish("/a", "polled");

    assertThat(next(got).data()).isEqualTo("polled");
    assertThat(seen.get(0).path()).endsWith("/sse");
    assertThat(seen.get(seen.size() - 1).path()).endsWith("/poll");
  }
}
