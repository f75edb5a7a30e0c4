// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Retention;

/**
 * The explicit loss signal in the engine, without a socket or a wall clock: a memory store that
 * keeps 3 messages per channel, a recent window of 3 (so positions within it are answered without
 * the store, and older ones fall back to it), and a fake ticker.
 */
class LossSignalEngineTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
  private @Nullable MessageBus bus;
  private @Nullable HttpEngine engine;
  private @Nullable WebSocketEndpoint ws;

  @AfterEach
  void close() {
    if (ws != null) {
      ws.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (bus != null) {
      bus.close();
    }
  }

  private HttpEngine start() throws InterruptedException {
    return start(3, new Retention(3, 10_000, Duration.ofDays(7), 1));
  }

  private HttpEngine start(int windowMessages, Retention retention) throws InterruptedException {
    MemoryBackend backend = MemoryBackend.builder().retention(retention).build();
    MessageBus b = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    bus = b;
    engine =
        new HttpEngine(
            b,
            EngineOptions.builder()
                .longPollingInterval(Duration.ofSeconds(25))
                .ticker(now::get)
                .timerThread(false)
                .recentWindowMessages(windowMessages)
                .build());
    b.subscribeAll(seen::add);
    awaitDispatched(b.publish("/probe", "p"));
    return engine;
  }

  /** Publishes m1..m6 on /a and returns their ids. */
  private long[] sixOnA() throws InterruptedException {
    long[] ids = new long[6];
    for (int i = 0; i < 6; i++) {
      ids[i] = bus().publish("/a", "m" + (i + 1));
    }
    awaitDispatched(ids[5]);
    return ids;
  }

  private void awaitDispatched(long globalId) throws InterruptedException {
    while (true) {
      Message m = seen.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("message %d dispatched", globalId).isNotNull();
      if (m.globalId() >= globalId) {
        return;
      }
    }
  }

  private MessageBus bus() {
    assertThat(bus).isNotNull();
    return bus;
  }

  private static FakeExchange poll(HttpEngine e, String query, String form, boolean stream) {
    FakeExchange x = FakeExchange.post(form);
    x.query = query;
    if (!stream) {
      x.withHeader("Dont-Chunk", "true");
    }
    assertThat(e.handle(x, "/message-bus/c/poll", null)).isTrue();
    return x;
  }

  private static String loss(String channel, long from, long to) {
    return "{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__loss\",\"data\":{\""
        + channel
        + "\":{\"from\":"
        + from
        + ",\"to\":"
        + to
        + "}}}";
  }

  @Test
  void stockPoll_atATrimmedPosition_getsNoLossMessage() throws Exception {
    HttpEngine e = start();
    long[] ids = sixOnA();

    FakeExchange x = poll(e, null, "/a=" + ids[0], false);

    assertThat(x.body()).doesNotContain("/__loss").doesNotContain("/__status");
    assertThat(x.body()).startsWith("[{\"global_id\":" + ids[3] + ",");
  }

  @Test
  void optedIn_afterPublishesKeepingFewerThanTheWindowHolds_theReplyStillNamesTheLoss()
      throws Exception {
    // The store keeps its default 1,000 per channel, but each publish asks it to keep 3: the
    // window (64) never sees a publish's maxBacklogSize (it is not on the wire), so it still holds
    // what the store trimmed. A client that asked for the loss signal and is behind is answered
    // from the store, which knows what it trimmed.
    HttpEngine e = start(64, Retention.DEFAULTS);
    PublishOptions keep3 = PublishOptions.builder().maxBacklogSize(3).build();
    long[] ids = new long[6];
    for (int i = 0; i < 6; i++) {
      ids[i] = bus().publish("/a", "m" + (i + 1), keep3);
    }
    awaitDispatched(ids[5]);

    String body = poll(e, "__loss=1", "/a=" + ids[0], false).body();

    assertThat(body).startsWith("[" + loss("/a", ids[0] + 1, ids[3] - 1) + ",");
    assertThat(body).contains("\"m4\"", "\"m5\"", "\"m6\"").doesNotContain("\"m2\"");
  }

  @Test
  void optedIn_atATrimmedPosition_theReplyNamesTheLostRangeFirst_andTheStatusLast()
      throws Exception {
    HttpEngine e = start();
    long[] ids = sixOnA();

    FakeExchange x = poll(e, "__loss=1", "/a=" + ids[0], false);

    String body = x.body();
    assertThat(body).startsWith("[" + loss("/a", ids[0] + 1, ids[3] - 1) + ",");
    assertThat(body).contains("\"m4\"", "\"m5\"", "\"m6\"").doesNotContain("\"m1\"");
    // The status comes last and never names a position below a message the reply carries.
    assertThat(body)
        .endsWith(
            "{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\",\"data\":{\"/a\":"
                + ids[5]
                + "}}]");
  }

  @Test
  void optedIn_atARetainedPosition_reportsNoLoss() throws Exception {
    HttpEngine e = start();
    long[] ids = sixOnA();

    // Below the window (it holds m4..m6 and vouches after m4 only): the store answers.
    FakeExchange fromStore = poll(e, "dlp=t&__loss=1", "/a=" + ids[3], false);
    assertThat(fromStore.body()).doesNotContain("/__loss").contains("\"m5\"", "\"m6\"");
    FakeExchange fromWindow = poll(e, "__loss=1", "/a=" + ids[4], false);
    assertThat(fromWindow.body()).doesNotContain("/__loss").contains("\"m6\"");
  }

  @Test
  void optedIn_longPoll_positionOutsideTheWindow_fallsBackToTheStore_andReportsTheLoss()
      throws Exception {
    HttpEngine e = start();
    long[] ids = sixOnA();

    // A held-capable poll reads the window first; its position is older than the window.
    FakeExchange x = poll(e, "__loss=1", "/a=" + ids[1], false);

    assertThat(x.ended()).isTrue();
    assertThat(x.body()).startsWith("[" + loss("/a", ids[1] + 1, ids[3] - 1) + ",");
  }

  @Test
  void optedIn_stream_firstPieceCarriesTheLoss() throws Exception {
    HttpEngine e = start();
    long[] ids = sixOnA();

    FakeExchange x = poll(e, "__loss=1", "/a=" + ids[0], true);

    assertThat(x.isHeld()).isTrue();
    assertThat(x.body()).contains("[" + loss("/a", ids[0] + 1, ids[3] - 1) + ",");
  }

  @Test
  void optedIn_afterAReset_deliversTheNewNumbering_andSaysTheIdsRestarted() throws Exception {
    HttpEngine e = start();
    long[] ids = sixOnA();
    bus().reset();
    long fresh = bus().publish("/a", "after reset");
    awaitDispatched(fresh);

    FakeExchange stock = poll(e, null, "/a=" + ids[5], false);
    FakeExchange optedIn = poll(e, "__loss=1", "/a=" + ids[5], false);

    assertThat(stock.body()).doesNotContain("after reset").contains("\"/a\":" + fresh);
    assertThat(optedIn.body())
        .startsWith(
            "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__loss\",\"data\":{\"/a\":"
                + "{\"from\":1,\"to\":0,\"reset\":true}}},")
        .contains("\"after reset\"")
        .endsWith("\"data\":{\"/a\":" + fresh + "}}]");
  }

  @Test
  void optedIn_serverSentEvents_theFirstEventIsTheLoss() throws Exception {
    HttpEngine e = start();
    long[] ids = sixOnA();

    FakeExchange x = new FakeExchange();
    x.method = "GET";
    x.query = "%2Fa=" + ids[0] + "&__loss=1";
    assertThat(e.handle(x, "/message-bus/c/sse", "/message-bus/c/sse")).isTrue();

    assertThat(x.isHeld()).isTrue();
    String lossJson = loss("/a", ids[0] + 1, ids[3] - 1);
    assertThat(x.body()).contains("id: " + ids[0] + "\ndata: " + lossJson + "\n\n");
    assertThat(x.body()).contains("id: " + ids[3] + "\ndata: {\"global_id\":" + ids[3] + ",");
  }

  @Test
  void malformedOptIn_is400WithAReason_onPollsAndServerSentEvents() throws Exception {
    HttpEngine e = start();

    FakeExchange x = poll(e, "__loss=yes", "/a=0", false);
    assertThat(x.status()).isEqualTo(400);
    assertThat(x.body()).contains("__loss must be 1").contains("yes");

    FakeExchange sse = new FakeExchange();
    sse.method = "GET";
    sse.query = "%2Fa=0&__loss";
    assertThat(e.handle(sse, "/message-bus/c/sse", "/message-bus/c/sse")).isTrue();
    assertThat(sse.status()).isEqualTo(400);
    assertThat(sse.body()).contains("__loss must be 1");
  }

  @Test
  void webSocket_subscribeWithLoss_getsTheLoss_andABadLossValueClosesWith4400() throws Exception {
    HttpEngine e = start();
    long[] ids = sixOnA();
    WebSocketEndpoint endpoint =
        new WebSocketEndpoint(
            e, WebSocketOptions.builder().pingInterval(Duration.ofHours(1)).build());
    ws = endpoint;

    WebSocketEndpointTest.FakeConnection c = open(endpoint, "w1");
    send(c, "{\"subscribe\":{\"/a\":" + ids[0] + "},\"loss\":true}");
    assertThat(c.next()).startsWith("[" + loss("/a", ids[0] + 1, ids[3] - 1) + ",");

    WebSocketEndpointTest.FakeConnection stock = open(endpoint, "w2");
    send(stock, "{\"subscribe\":{\"/a\":" + ids[0] + "}}");
    assertThat(stock.next()).doesNotContain("/__loss");

    WebSocketEndpointTest.FakeConnection bad = open(endpoint, "w3");
    send(bad, "{\"subscribe\":{\"/a\":0},\"loss\":\"yes\"}");
    assertThat(bad.closed()).isEqualTo("4400 loss must be true or false");
  }

  private final java.util.Map<WebSocketEndpointTest.FakeConnection, WebSocketSession> sessions =
      new java.util.HashMap<>();

  private WebSocketEndpointTest.FakeConnection open(WebSocketEndpoint endpoint, String clientId) {
    FakeExchange x = new FakeExchange();
    x.method = "GET";
    x.path = "/message-bus/" + clientId + "/ws";
    x.withHeader("Host", "example.com");
    WebSocketEndpoint.Admission a = endpoint.admit(x);
    assertThat(a.session()).as("admitted: %s %s", a.status(), a.reason()).isNotNull();
    WebSocketEndpointTest.FakeConnection c = new WebSocketEndpointTest.FakeConnection();
    a.session().open(c);
    sessions.put(c, a.session());
    return c;
  }

  private void send(WebSocketEndpointTest.FakeConnection c, String frame) {
    sessions.get(c).onText(frame);
  }
}
