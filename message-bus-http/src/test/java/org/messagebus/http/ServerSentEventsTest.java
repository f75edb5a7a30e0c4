// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;

/**
 * Server-Sent Events on the engine without a container: the events and their resume tokens, the
 * heartbeats and the end of a stream on a fake ticker, resumption through {@code Last-Event-ID},
 * the limits a held poll has, and the 4xx of bad input.
 */
class ServerSentEventsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);
  private static final Duration MAX = Duration.ofMinutes(5);
  private static final Pattern EVENT = Pattern.compile("id: ([^\n]*)\ndata: ([^\n]*)\n\n");

  private long now = 5_000_000_000L;
  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final List<HttpEngine> engines = new ArrayList<>();

  @AfterEach
  void close() {
    engines.forEach(HttpEngine::close);
    bus.close();
  }

  // The recent-message window is off: this class checks the event-stream wire, and the store (the
  // memory backend) answers a backlog completely and at once, while the window holds only what the
  // engine's firehose has dispatched so far (the rest would arrive later, live). The window's own
  // answers are tested in RecentWindowEngineTest and message-bus-it's RecentWindow*Test.
  private HttpEngine engine(Consumer<EngineOptions.Builder> options) {
    EngineOptions.Builder b =
        EngineOptions.builder()
            .recentWindowMessages(0)
            .ticker(() -> now)
            .timerThread(false)
            .sseHeartbeatInterval(HEARTBEAT)
            .sseMaxDuration(MAX);
    options.accept(b);
    HttpEngine e = new HttpEngine(bus, b.build());
    engines.add(e);
    return e;
  }

  private HttpEngine engine() {
    return engine(b -> {});
  }

  private static FakeExchange sse(HttpEngine e, String clientId, String query, String... headers) {
    FakeExchange x = new FakeExchange();
    x.method = "GET";
    x.query = query;
    for (int i = 0; i + 1 < headers.length; i += 2) {
      x.withHeader(headers[i], headers[i + 1]);
    }
    String path = "/message-bus/" + clientId + "/sse";
    assertThat(e.handle(x, path, path)).isTrue();
    return x;
  }

  /** The events of a stream: id and data of each. */
  private static List<String[]> events(String body) {
    List<String[]> events = new ArrayList<>();
    Matcher m = EVENT.matcher(body);
    while (m.find()) {
      events.add(new String[] {m.group(1), m.group(2)});
    }
    return events;
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

  private void advance(HttpEngine e, Duration d) {
    now += d.toNanos();
    e.expireTimeouts();
  }

  @Test
  void stream_sendsHeadersRetryBacklogAndStatus_thenLiveMessages_eachWithAllPositions()
      throws Exception {
    HttpEngine e = engine(o -> o.sseRetry(Duration.ofMillis(2500)));
    long a1 = bus.publish("/a", "one");
    long a2 = bus.publish("/a", "two");

    FakeExchange x = sse(e, "c", "%2Fa=0&%2Fb=-1");

    assertThat(x.isHeld()).isTrue();
    assertThat(x.status()).isEqualTo(200);
    assertThat(x.responseHeader("Content-Type")).isEqualTo("text/event-stream; charset=utf-8");
    assertThat(x.responseHeader("Cache-Control")).isEqualTo("no-cache");
    assertThat(x.responseHeader("X-Accel-Buffering")).isEqualTo("no");
    assertThat(x.body()).startsWith("retry: 2500\n\n");
    String status =
        "{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\",\"data\":{\"/b\":0}}";
    assertThat(events(x.body()))
        .extracting(ev -> ev[0] + " " + ev[1])
        .containsExactly(
            a1 + ",0 " + wire(a1, "/a", "one"),
            a2 + ",0 " + wire(a2, "/a", "two"),
            a2 + ",0 " + status);

    long b1 = bus.publish("/b", "live");
    x.await(body -> events(body).size() == 4, WAIT);
    assertThat(events(x.body()).get(3)).containsExactly(a2 + "," + b1, wire(b1, "/b", "live"));
    assertThat(x.ended()).as("the stream stays open after a message").isFalse();
    assertThat(e.heldPolls()).isEqualTo(1);
  }

  @Test
  void idleStream_sendsCommentHeartbeats_onTheTicker_andEndsAtItsMaxDuration() throws Exception {
    HttpEngine e = engine();
    FakeExchange x = sse(e, "c", "%2Fa=");
    String opened = x.body();

    advance(e, HEARTBEAT.minusSeconds(1));
    assertThat(x.body()).isEqualTo(opened);
    advance(e, Duration.ofSeconds(2));
    assertThat(x.body()).isEqualTo(opened + ":\n\n");
    advance(e, HEARTBEAT.plusSeconds(1));
    assertThat(x.body()).isEqualTo(opened + ":\n\n:\n\n");
    assertThat(x.ended()).isFalse();

    advance(e, MAX);

    assertThat(x.ended()).as("ended at its max duration").isTrue();
    assertThat(x.body()).doesNotContain("[]").doesNotContain("data:");
    assertThat(e.heldPolls()).isZero();
  }

  @Test
  void lastEventId_replacesTheQueryPositions_soAReconnectResumesEachChannelExactlyOnce()
      throws Exception {
    HttpEngine e = engine();
    long a1 = bus.publish("/a", "a1");
    long b1 = bus.publish("/b", "b1");
    long a2 = bus.publish("/a", "a2");
    long b2 = bus.publish("/b", "b2");

    // The first stream had a1 and b1 (its last event id said so); the query still says 0.
    FakeExchange x = sse(e, "c", "%2Fa=0&%2Fb=0", "Last-Event-ID", a1 + "," + b1);

    // a2 and b2 come from the recent window or, if the engine's firehose has not delivered them
    // yet, live as it does: either way both, once each. Their order across the two channels
    // depends on which path each took; each event's id names every channel's position after it.
    x.await(body -> events(body).size() == 2, WAIT);
    List<String[]> got = events(x.body());
    assertThat(got)
        .extracting(ev -> ev[1])
        .containsExactlyInAnyOrder(wire(a2, "/a", "a2"), wire(b2, "/b", "b2"));
    assertThat(got.get(0)[0]).isIn(a2 + "," + b1, a1 + "," + b2);
    assertThat(got.get(1)[0]).isEqualTo(a2 + "," + b2);
  }

  @Test
  void channelsForcedByAnUpstreamFilter_winOverTheQuery_asForPolls() throws Exception {
    HttpEngine e = engine();
    bus.publish("/secret", "not for this client");
    long mine = bus.publish("/mine", "mine");
    FakeExchange x = new FakeExchange();
    x.method = "GET";
    x.query = "%2Fsecret=0";
    x.attributes.put(PollRequest.CHANNELS_ATTRIBUTE, java.util.Map.of("/mine", 0));

    assertThat(e.handle(x, "/message-bus/c/sse", "/message-bus/c/sse")).isTrue();

    assertThat(events(x.body()))
        .extracting(ev -> ev[0] + " " + ev[1])
        .containsExactly(mine + " " + wire(mine, "/mine", "mine"));
  }

  @Test
  void lookBehind_tokenNamesTheChannelsNewestId_notTheLookBehind() throws Exception {
    HttpEngine e = engine();
    bus.publish("/a", "a1");
    long a2 = bus.publish("/a", "a2");

    FakeExchange x = sse(e, "c", "%2Fa=-2");

    assertThat(events(x.body())).extracting(ev -> ev[0]).containsExactly(Long.toString(a2));
  }

  @Test
  void targetedMessages_reachOnlyTheirTarget_asOverPolls() throws Exception {
    HttpEngine e = engine();
    FakeExchange c = sse(e, "c", "%2Fa=");
    FakeExchange d = sse(e, "d", "%2Fa=");

    bus.publish("/a", "for d", PublishOptions.builder().clientIds(List.of("d")).build());
    long all = bus.publish("/a", "for all");

    c.await(body -> events(body).size() == 1, WAIT);
    d.await(body -> events(body).size() == 2, WAIT);
    assertThat(events(c.body()).get(0)[1]).isEqualTo(wire(all, "/a", "for all"));
    assertThat(events(d.body()).get(0)[1]).contains("\"data\":\"for d\"");
  }

  @Test
  void clientThatStopsReading_isCutOffAtMaxUnsentBytes() throws Exception {
    HttpEngine e = engine(o -> o.maxUnsentBytes(300));
    FakeExchange x = new FakeExchange();
    x.method = "GET";
    x.query = "%2Fa=";
    x.blockOutput();
    assertThat(e.handle(x, "/message-bus/c/sse", "/message-bus/c/sse")).isTrue();

    for (int i = 0; i < 10; i++) {
      bus.publish("/a", "x".repeat(100));
    }
    await().atMost(WAIT).until(() -> e.streamsCutOff() == 1);

    x.releaseOutput();
    x.awaitEnd(WAIT);
    assertThat(x.body()).as("unsent events dropped whole: nothing is sent").isEmpty();
    assertThat(e.heldPolls()).isZero();
  }

  @Test
  void newerStreamOfTheSameClient_replacesTheOlder() throws Exception {
    HttpEngine e = engine();
    FakeExchange first = sse(e, "c", "%2Fa=");
    FakeExchange second = sse(e, "c", "%2Fa=");

    assertThat(first.ended()).isTrue();
    assertThat(second.isHeld()).isTrue();
    assertThat(e.heldPolls()).isEqualTo(1);
  }

  @Test
  void overMaxActiveClients_is503WithRetryAfter_soTheClientPolls() throws Exception {
    HttpEngine e = engine(o -> o.maxActiveClients(1));
    sse(e, "c", "%2Fa=");

    FakeExchange x = sse(e, "d", "%2Fa=");

    assertThat(x.status()).isEqualTo(503);
    assertThat(x.responseHeader("Retry-After")).isEqualTo("15");
    assertThat(x.body()).contains("server-sent events unavailable");
  }

  @Test
  void overTheHeldPollCapOfAnAddress_is429() throws Exception {
    HttpEngine e = engine(o -> o.maxHeldPollsPerAddress(1));
    sse(e, "c", "%2Fa=");

    FakeExchange x = sse(e, "d", "%2Fa=");

    assertThat(x.status()).isEqualTo(429);
  }

  @Test
  void disabled_is404WithAReason() throws Exception {
    HttpEngine e = engine(o -> o.sseEnabled(false));

    FakeExchange x = sse(e, "c", "%2Fa=");

    assertThat(x.status()).isEqualTo(404);
    assertThat(x.body()).contains("server-sent events are disabled");
  }

  @Test
  void postToTheSsePath_isAnOrdinaryPoll_asInRuby() throws Exception {
    HttpEngine e = engine();
    long a1 = bus.publish("/a", "one");
    FakeExchange x = FakeExchange.post("/a=0").withHeader("Dont-Chunk", "true");

    assertThat(e.handle(x, "/message-bus/c/sse", "/message-bus/c/sse")).isTrue();

    assertThat(x.responseHeader("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(x.body()).isEqualTo("[" + wire(a1, "/a", "one") + "]");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "not a number|%2Fa=0|x|Last-Event-ID does not parse",
        "too few positions|%2Fa=0&%2Fb=0|5|Last-Event-ID names 1 positions for 2 channels",
        "too many positions|%2Fa=0|5,6|Last-Event-ID names 2 positions for 1 channels",
        "below -1|%2Fa=0|-7|Last-Event-ID does not parse",
        "empty position|%2Fa=0&%2Fb=0|5,|Last-Event-ID does not parse",
        "too many channels|%2Fa=0&%2Fb=0&%2Fc=0|''|too many",
        "invalid channel|a%24%7C%24b=0|''|invalid channel name",
      })
  void badInput_is400WithAReason_andNeighboursKeepTheirStreams(
      String what, String query, String lastEventId, String reason) throws Exception {
    HttpEngine e = engine(o -> o.maxChannels(2));
    FakeExchange neighbour = sse(e, "n", "%2Fa=");

    FakeExchange x =
        lastEventId.isEmpty()
            ? sse(e, "c", query)
            : sse(e, "c", query, "Last-Event-ID", lastEventId);

    assertThat(x.status()).as(what).isEqualTo(400);
    assertThat(x.body()).contains(reason);
    long id = bus.publish("/a", "still here");
    neighbour.await(body -> events(body).size() == 1, WAIT);
    assertThat(events(neighbour.body()).get(0)[0]).isEqualTo(Long.toString(id));
  }
}
