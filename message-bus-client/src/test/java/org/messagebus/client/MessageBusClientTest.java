// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.messagebus.MessageBus;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/** The client against our real server on a free port (SPEC §8, §10.10). */
class MessageBusClientTest {

  enum Mode {
    STREAMING,
    LONG_POLL,
    POLLING
  }

  private MessageBus bus;
  private MessageBusServer server;
  private final List<MessageBusClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    server = startServer(0);
  }

  private MessageBusServer startServer(int port) {
    return MessageBusServer.builder(bus)
        .port(port)
        .httpOptions(
            HttpTransportOptions.builder().longPollingInterval(Duration.ofSeconds(2)).build())
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    clients.forEach(MessageBusClient::close);
    server.close();
    bus.close();
  }

  private MessageBusClient client(Mode mode) {
    MessageBusClient.Builder b =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + server.port() + "/"))
            .minPollInterval(Duration.ofMillis(20))
            .maxPollInterval(Duration.ofMillis(500));
    switch (mode) {
      case LONG_POLL -> b.chunkedEncoding(false);
      case POLLING -> b.longPolling(false).backgroundCallbackInterval(Duration.ofMillis(30));
      default -> {}
    }
    MessageBusClient c = b.build();
    clients.add(c);
    return c;
  }

  private static ClientMessage next(BlockingQueue<ClientMessage> q) throws InterruptedException {
    ClientMessage m = q.poll(10, TimeUnit.SECONDS);
    assertThat(m).as("a message within 10 s").isNotNull();
    return m;
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void everyMode_receivesMessagesOfSeveralChannels_eachChannelInOrder(Mode mode) throws Exception {
    MessageBusClient c = client(mode);
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/test", -1, got::add);
    c.subscribe("/test2", -1, got::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> c.successes() >= 1);

    for (int i = 0; i < 10; i++) {
      bus.publish(i % 2 == 0 ? "/test" : "/test2", java.util.Map.of("hello", "world", "n", i));
    }

    // A backlog reply lists channel by channel (as Ruby's server does), so order is per channel.
    java.util.Map<String, List<Object>> byChannel = new java.util.TreeMap<>();
    for (int i = 0; i < 10; i++) {
      ClientMessage m = next(got);
      assertThat(((java.util.Map<?, ?>) m.data()).get("hello")).isEqualTo("world");
      byChannel
          .computeIfAbsent(m.channel(), k -> new ArrayList<>())
          .add(((java.util.Map<?, ?>) m.data()).get("n"));
    }
    assertThat(byChannel.get("/test")).containsExactly(0L, 2L, 4L, 6L, 8L);
    assertThat(byChannel.get("/test2")).containsExactly(1L, 3L, 5L, 7L, 9L);
    // No duplicate: a message delivered twice would come before these later ones, channel by
    // channel, so the next two are the markers and nothing else is queued.
    bus.publish("/test", "end of /test");
    bus.publish("/test2", "end of /test2");
    assertThat(List.of(next(got).data(), next(got).data()))
        .as("no duplicate")
        .containsExactlyInAnyOrder("end of /test", "end of /test2");
    assertThat(got).isEmpty();
    assertThat(c.consecutiveFailures()).isZero();
  }

  @Test
  void positions_zeroMinusTwoAndAnId() throws Exception {
    for (String s : List.of("a", "b", "c", "d")) {
      bus.publish("/p", s);
    }
    MessageBusClient c = client(Mode.STREAMING);
    BlockingQueue<ClientMessage> all = new LinkedBlockingQueue<>();
    BlockingQueue<ClientMessage> last = new LinkedBlockingQueue<>();
    BlockingQueue<ClientMessage> after = new LinkedBlockingQueue<>();
    c.subscribe("/p", 0, all::add);

    assertThat(List.of(next(all).data(), next(all).data(), next(all).data(), next(all).data()))
        .containsExactly("a", "b", "c", "d");

    MessageBusClient c2 = client(Mode.STREAMING);
    c2.subscribe("/p", -2, last::add);
    assertThat(next(last).data()).isEqualTo("d");

    MessageBusClient c3 = client(Mode.LONG_POLL);
    c3.subscribe("/p", 2, after::add);
    assertThat(next(after).data()).isEqualTo("c");
    assertThat(next(after).data()).isEqualTo("d");
    assertThat(c3.positions()).containsEntry("/p", 4L);
  }

  @Test
  void minusOne_receivesOnlyNewMessages() throws Exception {
    bus.publish("/n", "old");
    MessageBusClient c = client(Mode.LONG_POLL);
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/n", -1, got::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> c.positions().get("/n") == 1L);

    bus.publish("/n", "new");

    assertThat(next(got).data()).isEqualTo("new");
    bus.publish("/n", "newer");
    assertThat(next(got).data()).as("nothing old, nothing twice").isEqualTo("newer");
  }

  @Test
  void serverRestartMidStream_resumesWithNothingLostOrDuplicated() throws Exception {
    MessageBusClient c = client(Mode.STREAMING);
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/r", -1, got::add);
    await().atMost(Duration.ofSeconds(10)).until(() -> c.positions().get("/r") == 0L);
    for (int i = 1; i <= 5; i++) {
      bus.publish("/r", i);
    }
    for (int i = 1; i <= 5; i++) {
      assertThat(next(got).data()).isEqualTo((long) i);
    }
    int port = server.port();

    server.close();
    for (int i = 6; i <= 10; i++) {
      bus.publish("/r", i); // published while the HTTP server is down
    }
    server = startServer(port);
    for (int i = 11; i <= 15; i++) {
      bus.publish("/r", i);
    }

    for (int i = 6; i <= 15; i++) {
      assertThat(next(got).data()).isEqualTo((long) i);
    }
    bus.publish("/r", 16);
    assertThat(next(got).data()).as("nothing twice after the restart").isEqualTo(16L);
  }

  @Test
  void unsubscribe_removesListenersAndChannels_andStopsWhenEmpty() throws Exception {
    MessageBusClient c = client(Mode.STREAMING);
    ClientListener a = m -> {};
    ClientListener b = m -> {};
    c.subscribe("/u", a);
    c.subscribe("/u", b);
    c.subscribe("/v", a);

    c.unsubscribe("/u", a);
    assertThat(c.positions()).containsKeys("/u", "/v");
    c.unsubscribe("/u", b);
    assertThat(c.positions()).containsOnlyKeys("/v");
    c.unsubscribe("/v");

    assertThat(c.positions()).isEmpty();
    assertThat(c.status()).isEqualTo(MessageBusClient.Status.STOPPED);
  }

  @Test
  void subscribingMidPoll_addsTheChannelWithoutWaitingForTheHeldPoll() throws Exception {
    MessageBusClient c = client(Mode.LONG_POLL);
    c.subscribe("/first", -1, m -> {});
    await().atMost(Duration.ofSeconds(10)).until(() -> server.filter().heldPolls() == 1);
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();

    c.subscribe("/second", 0, got::add);
    bus.publish("/second", "quick");

    assertThat(next(got).data()).isEqualTo("quick");
  }

  @Test
  void start_isIdempotent_andStatusFollows() {
    MessageBusClient c = client(Mode.STREAMING);
    assertThat(c.status()).isEqualTo(MessageBusClient.Status.STOPPED);

    c.start();
    c.start();

    assertThat(c.status()).isEqualTo(MessageBusClient.Status.STARTED);
    long pollers =
        Thread.getAllStackTraces().keySet().stream()
            .filter(
                t ->
                    t.getName().startsWith("message-bus-client-")
                        && !t.getName().contains("callbacks"))
            .filter(Thread::isAlive)
            .count();
    assertThat(pollers).isEqualTo(1);
    c.stop();
    assertThat(c.status()).isEqualTo(MessageBusClient.Status.STOPPED);
  }

  @Test
  void badChannels_andOptions_areRejected() {
    MessageBusClient c = client(Mode.STREAMING);
    assertThatThrownBy(() -> c.subscribe("test", m -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("channel");
    assertThatThrownBy(
            () ->
                MessageBusClient.builder(URI.create("http://x/"))
                    .minPollInterval(Duration.ofSeconds(5))
                    .maxPollInterval(Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("minPollInterval");
    assertThatThrownBy(() -> MessageBusClient.builder(URI.create("ftp://x/")))
        .hasMessageContaining("http");
  }

  @Test
  void throwingListener_isReported_andOthersStillReceive() throws Exception {
    BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
    MessageBusClient c =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + server.port() + "/"))
            .errorListener(
                new ClientErrorListener() {
                  @Override
                  public void onListenerFailed(ClientMessage message, Throwable error) {
                    errors.add(error);
                  }
                })
            .build();
    clients.add(c);
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe(
        "/e",
        0,
        m -> {
          throw new IllegalStateException("listener bug");
        });
    c.subscribe("/e", 0, got::add);

    bus.publish("/e", "x");

    assertThat(next(got).data()).isEqualTo("x");
    assertThat(errors.poll(10, TimeUnit.SECONDS)).hasMessage("listener bug");
  }

  @Test
  void basePath_isHonoured() throws Exception {
    MessageBus other = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    try (MessageBusServer based =
        MessageBusServer.builder(other)
            .port(0)
            .httpOptions(HttpTransportOptions.builder().baseRoute("/forum/").build())
            .build()
            .start()) {
      MessageBusClient c =
          MessageBusClient.builder(URI.create("http://127.0.0.1:" + based.port() + "/forum"))
              .build();
      clients.add(c);
      BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
      c.subscribe("/b", 0, got::add);

      other.publish("/b", "under a base path");

      assertThat(next(got).data()).isEqualTo("under a base path");
    } finally {
      other.close();
    }
  }
}
