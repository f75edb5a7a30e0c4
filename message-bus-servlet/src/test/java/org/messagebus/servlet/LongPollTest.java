// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;

/** Held polls: SPEC §4.3–4.4, §5.1, §5.4 and the long-polling items of §10.3. */
class LongPollTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static HttpTransportOptions.Builder options() {
    return HttpTransportOptions.builder().longPollingInterval(Duration.ofSeconds(20));
  }

  @Test
  void minusOne_answersImmediatelyWithTheStatus() throws Exception {
    try (ServerFixture f = ServerFixture.start(options())) {
      f.bus.publish("/foo", "x");

      HttpResponse<String> r = f.poll("/message-bus/abc/poll", "/foo=-1", "Dont-Chunk", "true");

      List<Map<String, Object>> m = ServerFixture.messages(r.body());
      assertThat(m).hasSize(1);
      assertThat(m.get(0).get("channel")).isEqualTo("/__status");
      assertThat(m.get(0).get("data")).isEqualTo(Map.of("/foo", 1));
    }
  }

  @Test
  void heldPoll_returnsAPublishedUtf8Message_withExtraHeaders() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(options().extraResponseHeadersLookup(r -> Map.of("FOO", "BAR")))) {
      CompletableFuture<HttpResponse<String>> held =
          f.pollAsync("/message-bus/abc/poll", "/foo=", "Dont-Chunk", "true");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      assertThat(held).isNotDone();

      f.bus.publish("/foo", "שלום עולם");

      HttpResponse<String> r = held.get(10, TimeUnit.SECONDS);
      assertThat(r.headers().firstValue("foo")).hasValue("BAR");
      assertThat(ServerFixture.messages(r.body()))
          .extracting(m -> m.get("data"))
          .containsExactly("שלום עולם");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 0);
    }
  }

  @Test
  void heldPoll_timesOutWithEmptyArray() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder().longPollingInterval(Duration.ofMillis(10)))) {
      HttpResponse<String> r = f.poll("/message-bus/abc/poll", "/foo=", "Dont-Chunk", "true");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("[]");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 0);
    }
  }

  @Test
  void newerSeq_replacesTheHeldPoll_whichAnswersEmpty() throws Exception {
    try (ServerFixture f = ServerFixture.start(options())) {
      CompletableFuture<HttpResponse<String>> first =
          f.pollAsync("/message-bus/abc/poll", "/foo=&__seq=1", "Dont-Chunk", "true");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);

      CompletableFuture<HttpResponse<String>> second =
          f.pollAsync("/message-bus/abc/poll", "/foo=&__seq=2", "Dont-Chunk", "true");

      assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("[]");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      f.bus.publish("/foo", "to the newer poll");
      assertThat(ServerFixture.messages(second.get(10, TimeUnit.SECONDS).body()))
          .extracting(m -> m.get("data"))
          .containsExactly("to the newer poll");
    }
  }

  @Test
  void lowerSeq_isRejectedWithEmpty_andTheActivePollKeepsReceiving() throws Exception {
    try (ServerFixture f = ServerFixture.start(options())) {
      CompletableFuture<HttpResponse<String>> active =
          f.pollAsync("/message-bus/abc/poll", "/foo=&__seq=5", "Dont-Chunk", "true");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);

      HttpResponse<String> late =
          f.poll("/message-bus/abc/poll", "/foo=&__seq=4", "Dont-Chunk", "true");

      assertThat(late.body()).isEqualTo("[]");
      assertThat(f.server.filter().heldPolls()).isEqualTo(1);
      f.bus.publish("/foo", "still delivered");
      assertThat(ServerFixture.messages(active.get(10, TimeUnit.SECONDS).body()))
          .extracting(m -> m.get("data"))
          .containsExactly("still delivered");
    }
  }

  @Test
  void maxActiveClients_degradesToImmediateAnswers() throws Exception {
    try (ServerFixture f = ServerFixture.start(options().maxActiveClients(1))) {
      CompletableFuture<HttpResponse<String>> held =
          f.pollAsync("/message-bus/one/poll", "/foo=", "Dont-Chunk", "true");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);

      HttpResponse<String> second = f.poll("/message-bus/two/poll", "/foo=", "Dont-Chunk", "true");

      assertThat(second.body()).isEqualTo("[]");
      assertThat(held).isNotDone();
      f.bus.publish("/foo", "x");
      assertThat(held.get(10, TimeUnit.SECONDS).body()).contains("\"x\"");
    }
  }

  @Test
  void longPollingDisabled_answersEveryPollAtOnce() throws Exception {
    try (ServerFixture f = ServerFixture.start(options().longPollingEnabled(false))) {
      assertThat(f.poll("/message-bus/abc/poll", "/foo=").body()).isEqualTo("[]");
      assertThat(f.server.filter().heldPolls()).isZero();
    }
  }

  @Test
  void busOffAtConstruction_doesNotStartTheListener() {
    MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    bus.off();
    try (MessageBusFilter filter = new MessageBusFilter(bus)) {
      assertThat(filter.isListening()).isFalse();
    } finally {
      bus.close();
    }
  }

  @Test
  void globalChannel_isPushedLive_toHeldClientsOfEverySite() throws Exception {
    MessageBus bus =
        MessageBus.builder()
            .keepaliveInterval(Duration.ZERO)
            .siteIdLookup(() -> "publisher")
            .build();
    try (ServerFixture f =
        new ServerFixture(bus, options().siteIdLookup(r -> r.getHeader("X-Site")).build())) {
      CompletableFuture<HttpResponse<String>> s1 =
          f.pollAsync("/message-bus/a/poll", "/global/news=", "Dont-Chunk", "true", "X-Site", "s1");
      CompletableFuture<HttpResponse<String>> s2 =
          f.pollAsync("/message-bus/b/poll", "/global/news=", "Dont-Chunk", "true", "X-Site", "s2");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 2);

      bus.publish("/global/news", "everyone");

      assertThat(s1.get(10, TimeUnit.SECONDS).body()).contains("everyone");
      assertThat(s2.get(10, TimeUnit.SECONDS).body()).contains("everyone");
    }
  }

  @Test
  void sitedChannel_isPushedOnlyToItsSite() throws Exception {
    MessageBus bus =
        MessageBus.builder().keepaliveInterval(Duration.ZERO).siteIdLookup(() -> "s1").build();
    try (ServerFixture f =
        new ServerFixture(
            bus,
            HttpTransportOptions.builder()
                .longPollingInterval(Duration.ofSeconds(60))
                .siteIdLookup(r -> r.getHeader("X-Site"))
                .build())) {
      CompletableFuture<HttpResponse<String>> s1 =
          f.pollAsync("/message-bus/a/poll", "/foo=&__seq=1", "Dont-Chunk", "true", "X-Site", "s1");
      CompletableFuture<HttpResponse<String>> s2 =
          f.pollAsync("/message-bus/b/poll", "/foo=&__seq=1", "Dont-Chunk", "true", "X-Site", "s2");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 2);

      bus.publish("/foo", "for s1");

      assertThat(s1.get(10, TimeUnit.SECONDS).body()).contains("for s1");
      // s2's poll got nothing: its client's next poll replaces it, and it ends empty (a timeout
      // would too, but would race the publish on a loaded machine).
      f.pollAsync("/message-bus/b/poll", "/foo=&__seq=2", "Dont-Chunk", "true", "X-Site", "s2");
      assertThat(s2.get(10, TimeUnit.SECONDS).body()).isEqualTo("[]");
    }
  }

  @Test
  void streaming_deliversEveryMessageInOrder_acrossChannels() throws Exception {
    try (ServerFixture f =
            ServerFixture.start(
                HttpTransportOptions.builder().longPollingInterval(Duration.ofSeconds(60)));
        RawConnection c = RawConnection.open(f.port());
        RawConnection next = RawConnection.open(f.port())) {
      c.send(
          RawConnection.post(
              "/message-bus/abc/poll", "application/x-www-form-urlencoded", "/a=&/b=&__seq=1"));
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      for (int i = 0; i < 50; i++) {
        f.bus.publish(i % 2 == 0 ? "/a" : "/b", i);
      }
      c.awaitContains("\"data\":49}", WAIT);
      // The stream is ended by the client's next poll, not by its interval, which could race the
      // deliveries on a loaded machine.
      next.send(
          RawConnection.post(
              "/message-bus/abc/poll", "application/x-www-form-urlencoded", "/a=&/b=&__seq=2"));
      String raw = c.awaitContains("\r\n0\r\n\r\n", WAIT);

      List<String> pieces = Streams.pieces(raw);
      assertThat(pieces.get(0)).isEqualTo("[]");
      assertThat(pieces.get(pieces.size() - 1)).isEqualTo("[]");
      List<Object> data =
          pieces.subList(1, pieces.size() - 1).stream()
              .map(p -> ServerFixture.messages(p).get(0).get("data"))
              .toList();
      assertThat(data)
          .containsExactlyElementsOf(
              java.util.stream.IntStream.range(0, 50).boxed().map(i -> (Object) i).toList());
    }
  }

  @Test
  void streaming_withBacklog_sendsItAsTheFirstPiece() throws Exception {
    try (ServerFixture f =
            ServerFixture.start(
                HttpTransportOptions.builder().longPollingInterval(Duration.ofMillis(300)));
        RawConnection c = RawConnection.open(f.port())) {
      f.bus.publish("/a", "one");
      f.awaitDispatched(f.bus.publish("/a", "two"));
      c.send(
          RawConnection.post("/message-bus/abc/poll", "application/x-www-form-urlencoded", "/a=0"));

      List<String> pieces = Streams.pieces(c.awaitContains("\r\n0\r\n\r\n", WAIT));

      assertThat(pieces).hasSize(2);
      assertThat(ServerFixture.messages(pieces.get(0)))
          .extracting(m -> m.get("data"))
          .containsExactly("one", "two");
      assertThat(pieces.get(1)).isEqualTo("[]");
    }
  }

  @Test
  void http10_isNeverStreamed() throws Exception {
    try (ServerFixture f =
            ServerFixture.start(
                HttpTransportOptions.builder().longPollingInterval(Duration.ofMillis(200)));
        RawConnection c = RawConnection.open(f.port())) {
      f.bus.publish("/a", "one");
      c.send(
          RawConnection.post("/message-bus/abc/poll", "application/x-www-form-urlencoded", "/a=0")
              .replace("HTTP/1.1", "HTTP/1.0"));

      String raw = c.awaitClosed(WAIT);

      assertThat(raw).contains("Content-Type: application/json; charset=utf-8");
      assertThat(Streams.rawBody(raw)).contains("\"one\"").doesNotContain("|");
    }
  }

  @Test
  void clientDisconnect_whileStreaming_isCleanedUp() throws Exception {
    try (ServerFixture f = ServerFixture.start(options())) {
      RawConnection c = RawConnection.open(f.port());
      c.send(
          RawConnection.post("/message-bus/abc/poll", "application/x-www-form-urlencoded", "/a="));
      c.awaitContains("[]", WAIT);
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      c.close();

      // The next writes fail; the poll must be dropped without disturbing anyone else.
      await()
          .atMost(WAIT)
          .until(
              () -> {
                f.bus.publish("/a", "x".repeat(10_000));
                return f.server.filter().heldPolls() == 0;
              });
      assertThat(f.pollNow("other", "/a=-2")).hasSize(1);
    }
  }

  @Test
  void closingTheFilter_answersHeldPolls() throws Exception {
    ServerFixture f = ServerFixture.start(options());
    CompletableFuture<HttpResponse<String>> held =
        f.pollAsync("/message-bus/abc/poll", "/foo=", "Dont-Chunk", "true");
    await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);

    f.server.filter().close();

    assertThat(held.get(10, TimeUnit.SECONDS).body()).isEqualTo("[]");
    f.close();
  }
}
