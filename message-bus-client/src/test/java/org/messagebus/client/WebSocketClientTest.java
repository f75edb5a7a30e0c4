// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/** The client's WebSocket transport against our real server (memory bus) on a free port. */
class WebSocketClientTest {

  private MessageBus bus;
  private MessageBusServer server;
  private final List<MessageBusClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    server = startServer(0, true);
  }

  private MessageBusServer startServer(int port, boolean webSocket) {
    MessageBusServer.Builder b =
        MessageBusServer.builder(bus)
            .port(port)
            .httpOptions(
                HttpTransportOptions.builder()
                    .userIdFromRequest(r -> r.header("X-User"))
                    .longPollingInterval(Duration.ofSeconds(2))
                    .build());
    if (webSocket) {
      b.webSocket(WebSocketOptions.defaults());
    }
    return b.build().start();
  }

  @AfterEach
  void stop() {
    clients.forEach(MessageBusClient::close);
    server.close();
    bus.close();
  }

  private MessageBusClient client(String... headers) {
    MessageBusClient.Builder b =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + server.port() + "/"))
            .transport(MessageBusClient.Transport.WEBSOCKET)
            .minPollInterval(Duration.ofMillis(20))
            .maxPollInterval(Duration.ofMillis(500));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    MessageBusClient c = b.build();
    clients.add(c);
    return c;
  }

  private static ClientMessage next(BlockingQueue<ClientMessage> q) throws InterruptedException {
    ClientMessage m = q.poll(30, TimeUnit.SECONDS);
    assertThat(m).as("a message within 30 s").isNotNull();
    return m;
  }

  @Test
  void socketUri_swapsTheScheme_andKeepsTheBasePath() {
    assertThat(
            JdkWebSocketTransport.socketUri(
                new ClientOptions(
                    ClientOptions.pollBase(URI.create("https://example.com/forum/")),
                    "abc",
                    true,
                    true,
                    Duration.ofMillis(1),
                    Duration.ofMillis(2),
                    Duration.ofMillis(3),
                    Duration.ofMillis(4),
                    Duration.ofMillis(5),
                    java.util.Map.of(),
                    false)))
        .hasToString("wss://example.com/forum/message-bus/abc/ws");
  }

  @Test
  void subscribe_deliversLiveMessages_andANewChannelGetsItsBacklog() throws Exception {
    MessageBusClient c = client();
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/a", -1, got::add);
    await().atMost(Duration.ofSeconds(30)).until(() -> c.positions().get("/a") == 0L);
    bus.publish("/a", "live");
    assertThat(next(got).data()).isEqualTo("live");

    bus.publish("/b", "b1");
    bus.publish("/b", "b2");
    c.subscribe("/b", 0, got::add);
    assertThat(List.of(next(got).data(), next(got).data())).containsExactly("b1", "b2");
    bus.publish("/a", "again");
    assertThat(next(got).data()).isEqualTo("again");
    assertThat(got.poll(100, TimeUnit.MILLISECONDS)).as("nothing twice").isNull();
    assertThat(server.webSockets().connections()).isEqualTo(1);
  }

  @Test
  void targetedMessages_reachOnlyTheirUser() throws Exception {
    MessageBusClient alice = client("X-User", "alice");
    MessageBusClient bob = client("X-User", "bob");
    BlockingQueue<ClientMessage> a = new LinkedBlockingQueue<>();
    BlockingQueue<ClientMessage> b = new LinkedBlockingQueue<>();
    alice.subscribe("/t", -1, a::add);
    bob.subscribe("/t", -1, b::add);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> alice.positions().get("/t") == 0L && bob.positions().get("/t") == 0L);
    bus.publish("/t", "secret", PublishOptions.builder().userIds("alice").build());
    bus.publish("/t", "public");
    assertThat(next(a).data()).isEqualTo("secret");
    assertThat(next(a).data()).isEqualTo("public");
    assertThat(next(b).data()).isEqualTo("public");
  }

  @Test
  void serverRestart_resumesFromPositions_withoutLossOrDuplicates() throws Exception {
    MessageBusClient c = client();
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/r", -1, got::add);
    await().atMost(Duration.ofSeconds(30)).until(() -> c.positions().get("/r") == 0L);
    for (int i = 1; i <= 3; i++) {
      bus.publish("/r", i);
    }
    for (int i = 1; i <= 3; i++) {
      assertThat(next(got).data()).isEqualTo((long) i);
    }
    int port = server.port();
    server.close(); // closes the socket with 1001
    for (int i = 4; i <= 6; i++) {
      bus.publish("/r", i); // published while the server is down
    }
    server = startServer(port, true);
    for (int i = 7; i <= 8; i++) {
      bus.publish("/r", i);
    }
    for (int i = 4; i <= 8; i++) {
      assertThat(next(got).data()).isEqualTo((long) i);
    }
    bus.publish("/r", 9);
    assertThat(next(got).data()).as("nothing twice after the restart").isEqualTo(9L);
  }

  @Test
  void aRefusedUpgrade_isAFailedPoll_a429WaitsForRetryAfter() throws Exception {
    int port = server.port();
    server.close();
    server =
        MessageBusServer.builder(bus)
            .port(port)
            .httpOptions(HttpTransportOptions.builder().maxActiveClients(1).build())
            .webSocket(WebSocketOptions.defaults())
            .build()
            .start();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    ClientErrorListener record =
        new ClientErrorListener() {
          @Override
          public void onPollFailed(Throwable error, int consecutive, Duration retryIn) {
            failures.add(error);
          }
        };
    MessageBusClient foreign =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + port + "/"))
            .transport(MessageBusClient.Transport.WEBSOCKET)
            .header("Origin", "https://evil.example")
            .errorListener(record)
            .build();
    clients.add(foreign);
    foreign.subscribe("/x", -1, m -> {});
    await().atMost(Duration.ofSeconds(30)).until(() -> !failures.isEmpty());
    assertThat(failures.get(0)).hasMessage("WebSocket upgrade refused: HTTP 403");
    foreign.close();
    failures.clear();

    MessageBusClient first = client();
    first.subscribe("/x", -1, m -> {});
    await().atMost(Duration.ofSeconds(30)).until(() -> server.webSockets().connections() == 1);
    MessageBusClient second =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + port + "/"))
            .transport(MessageBusClient.Transport.WEBSOCKET)
            .errorListener(record)
            .build();
    clients.add(second);
    second.subscribe("/x", -1, m -> {});
    await().atMost(Duration.ofSeconds(30)).until(() -> !failures.isEmpty());
    assertThat(failures.get(0))
        .isInstanceOfSatisfying(
            RetryAfterException.class,
            e -> assertThat(e.requested()).contains(Duration.ofSeconds(15)));
  }
}
