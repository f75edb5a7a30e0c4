// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;

/** Immediate replies: SPEC §4.1–4.6 and the polling items of §10.3 and §10.4. */
class PollingTest {

  private static Map<String, Object> status(List<Map<String, Object>> messages) {
    Map<String, Object> last = messages.get(messages.size() - 1);
    assertThat(last.get("channel")).isEqualTo("/__status");
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) last.get("data");
    return data;
  }

  @Test
  void dlp_answersImmediately_andExtraHeadersAppear() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder().extraResponseHeadersLookup(r -> Map.of("FOO", "BAR")))) {
      HttpResponse<String> r = f.poll("/message-bus/abc/poll?dlp=t", "/foo=");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("foo")).hasValue("BAR");
      assertThat(r.body()).isEqualTo("[]");
    }
  }

  @Test
  void baseRoute_servesUnderItsPrefix_andPassesOtherPathsThrough() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(HttpTransportOptions.builder().baseRoute("base//route"))) {
      assertThat(f.poll("/base/route/message-bus/ABC?dlp=t", "").statusCode()).isEqualTo(200);
      assertThat(f.poll("/message-bus/ABC?dlp=t", "").statusCode()).isEqualTo(404);
      assertThat(f.poll("/base/route/message-bus/?dlp=t", "").body()).isEqualTo("not found");
    }
  }

  @Test
  void baseRoute_isNormalisedLikeRuby() {
    assertThat(HttpTransportOptions.normalizeBaseRoute("my/base/route"))
        .isEqualTo("/my/base/route/");
    assertThat(HttpTransportOptions.normalizeBaseRoute("/my/base/route/"))
        .isEqualTo("/my/base/route/");
    assertThat(HttpTransportOptions.normalizeBaseRoute("//my///base/route"))
        .isEqualTo("/my/base/route/");
  }

  @Test
  void positionsBeyondTheEnd_giveOneStatusWithCurrentPositions() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      f.bus.publish("/baz", "x");
      long baz = f.bus.lastId("/baz");

      List<Map<String, Object>> m =
          f.pollNow("abc", "/foo=1000000&/baz=" + (baz + 1) + "&/boom=1000000");

      assertThat(m).hasSize(1);
      assertThat(status(m))
          .containsExactly(
              Map.entry("/foo", 0), Map.entry("/baz", (int) baz), Map.entry("/boom", 0));
    }
  }

  @Test
  void minusOne_meansFromNow_evenWhenChunkingIsAllowed() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(HttpTransportOptions.builder().longPollingEnabled(false))) {
      f.bus.publish("/foo", "x");

      HttpResponse<String> r = f.poll("/message-bus/abc/poll", "/foo=-1&/boom=-1");

      List<Map<String, Object>> m = ServerFixture.messages(r.body());
      assertThat(m).hasSize(1);
      assertThat(status(m)).containsExactly(Map.entry("/foo", 1), Map.entry("/boom", 0));
    }
  }

  @Test
  void messagesAfterThePosition_areReturnedInOrder() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      f.bus.publish("/foo", "barbs");
      f.bus.publish("/foo", "borbs");
      f.bus.publish("/bar", "other");

      List<Map<String, Object>> m = f.pollNow("abc", "/foo=0");

      assertThat(m).extracting(x -> x.get("data")).containsExactly("barbs", "borbs");
      assertThat(m.get(0).keySet()).containsExactly("global_id", "message_id", "channel", "data");
    }
  }

  @Test
  void positionEqualToLastId_returnsNothing() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      long id = f.bus.publish("/foo", "x");

      assertThat(f.pollNow("abc", "/foo=" + id)).isEmpty();
    }
  }

  @Test
  void emptyPositions_subscribeFromNow() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      f.bus.publish("/foo", "x");

      assertThat(f.pollNow("abc", "/foo=&/bar=")).isEmpty();
    }
  }

  @Test
  void negativeLookBehind_returnsTheLastMessages() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      for (String s : List.of("a", "b", "c", "sam")) {
        f.bus.publish("/hello", s);
      }

      assertThat(f.pollNow("abc", "/hello=-2"))
          .extracting(x -> x.get("data"))
          .containsExactly("sam");
      assertThat(f.pollNow("abc", "/hello=-3"))
          .extracting(x -> x.get("data"))
          .containsExactly("c", "sam");
      assertThat(f.pollNow("abc", "/hello=-100")).hasSize(4);
    }
  }

  @Test
  void nonNumericPosition_readsTheWholeBacklogLikeRuby() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      f.bus.publish("/foo", "a");
      f.bus.publish("/foo", "b");

      assertThat(f.pollNow("abc", "/foo=abc")).hasSize(2);
    }
  }

  @Test
  void jsonBodies_areUnderstood() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      f.bus.publish("/foo", Map.of("json", true));

      HttpResponse<String> r =
          f.send(
              HttpRequest.newBuilder(f.uri("/message-bus/abc/poll?dlp=t"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"/foo\":0,\"__seq\":7}"))
                  .build());

      assertThat(ServerFixture.messages(r.body()).get(0).get("data"))
          .isEqualTo(Map.of("json", true));
    }
  }

  @Test
  void clientIdTargeting_usesThePathClientId_evenWithExtraSegments() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      f.bus.publish("/foo", "msg1", PublishOptions.builder().clientIds("aBc123").build());
      f.bus.publish("/foo", "msg2", PublishOptions.builder().clientIds("someoneElse").build());

      for (String path :
          List.of("/message-bus/aBc123/poll?dlp=t", "/message-bus/aBc123/path/not/needed?dlp=t")) {
        List<Map<String, Object>> m = ServerFixture.messages(f.poll(path, "/foo=0").body());
        assertThat(m).hasSize(2);
        assertThat(m.get(0).get("data")).isEqualTo("msg1");
        assertThat(m.get(1).get("channel")).isEqualTo("/__status");
        assertThat(status(m)).containsExactly(Map.entry("/foo", 2));
      }
    }
  }

  @Test
  void sites_doNotCrossTalk_butGlobalChannelsAreShared() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    MessageBus bus =
        MessageBus.builder()
            .keepaliveInterval(Duration.ZERO)
            .siteIdLookup(() -> "site" + calls.incrementAndGet())
            .build();
    try (ServerFixture f =
        new ServerFixture(
            bus, HttpTransportOptions.builder().siteIdLookup(r -> "reader").build())) {
      bus.publish("/foo", "for some other site");
      bus.publish("/global/foo", "for everyone");

      assertThat(f.pollNow("abc", "/foo=0")).isEmpty();
      assertThat(f.pollNow("abc", "/global/foo=0"))
          .extracting(x -> x.get("data"))
          .containsExactly("for everyone");
    }
  }

  @Test
  void userTargeting_othersGetOnlyAStatus() throws Exception {
    for (int user : List.of(0, 1)) {
      try (ServerFixture f =
          ServerFixture.start(HttpTransportOptions.builder().userIdLookup(r -> user))) {
        f.bus.publish("/foo", "for user 1", PublishOptions.builder().userIds(1).build());

        List<Map<String, Object>> m = f.pollNow("abc", "/foo=0");

        if (user == 1) {
          assertThat(m).extracting(x -> x.get("data")).containsExactly("for user 1");
        } else {
          assertThat(m).hasSize(1);
          assertThat(status(m)).containsExactly(Map.entry("/foo", 1));
        }
      }
    }
  }

  @Test
  void groupTargeting_othersGetOnlyAStatus() throws Exception {
    for (List<Integer> groups : List.of(List.of(0, 1, 2), List.of(1, 7, 4, 100))) {
      try (ServerFixture f =
          ServerFixture.start(HttpTransportOptions.builder().groupIdsLookup(r -> groups))) {
        f.bus.publish("/foo", "for group 100", PublishOptions.builder().groupIds(100, 7).build());

        List<Map<String, Object>> m = f.pollNow("abc", "/foo=0");

        if (groups.contains(100)) {
          assertThat(m).extracting(x -> x.get("data")).containsExactly("for group 100");
        } else {
          assertThat(status(m)).containsExactly(Map.entry("/foo", 1));
        }
      }
    }
  }

  @Test
  void clientMessageFilter_withholdsAndReportsStatus() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      f.bus.registerClientMessageFilter("/test", m -> !"secret".equals(m.data()));
      f.bus.publish("/test/5", "secret");
      f.bus.publish("/test/5", "public");

      List<Map<String, Object>> m = f.pollNow("abc", "/test/5=0");

      assertThat(m).extracting(x -> x.get("data")).first().isEqualTo("public");
      assertThat(status(m)).containsExactly(Map.entry("/test/5", 2));
    }
  }

  @Test
  void options_isAnswered_evenWhenALookupWouldFail() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .userIdLookup(
                    r -> {
                      throw new IllegalStateException("must not be called");
                    }))) {
      HttpResponse<String> r =
          f.send(
              HttpRequest.newBuilder(f.uri("/message-bus/abc/poll"))
                  .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                  .build());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("OK");
    }
  }

  @Test
  void onMiddlewareError_choosesTheResponse_forBusErrorsOnly() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .groupIdsLookup(
                    r -> {
                      throw new IllegalStateException("boom");
                    })
                .onMiddlewareError(
                    (r, e) ->
                        new MiddlewareErrorHandler.ErrorResponse(
                            407, "auth: " + e.getMessage())))) {
      HttpResponse<String> r = f.poll("/message-bus/abc/poll?dlp=t", "/foo=0");

      assertThat(r.statusCode()).isEqualTo(407);
      assertThat(r.body()).isEqualTo("auth: boom");
      // Answered before its body was read: the connection is not reused for the next request.
      assertThat(r.headers().firstValue("Connection")).hasValue("close");
      // Non-bus paths never reach the handler: they fall through to the application (404 here).
      assertThat(f.poll("/elsewhere", "").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void errorReplies_keepTheExtraHeaders_andCustomOnesAddTheirOwn() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .maxChannels(1)
                .extraResponseHeadersLookup(r -> Map.of("Access-Control-Allow-Origin", "*"))
                .groupIdsLookup(
                    r -> {
                      if (r.getHeader("X-Busy") != null) {
                        throw new IllegalStateException("busy");
                      }
                      return List.of();
                    })
                .onMiddlewareError(
                    (r, e) ->
                        new MiddlewareErrorHandler.ErrorResponse(
                            429, "slow down", Map.of("Retry-After", "7"))))) {
      HttpResponse<String> bad = f.poll("/message-bus/abc/poll?dlp=t", "/a=0&/b=0");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");

      HttpResponse<String> busy = f.poll("/message-bus/abc/poll?dlp=t", "/a=0", "X-Busy", "1");
      assertThat(busy.statusCode()).isEqualTo(429);
      assertThat(busy.body()).isEqualTo("slow down");
      assertThat(busy.headers().firstValue("Retry-After")).hasValue("7");
      assertThat(busy.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
    }
  }

  @Test
  void failingLookup_withoutHandler_is500WithOneLineReason() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .userIdLookup(
                    r -> {
                      throw new IllegalStateException("boom");
                    }))) {
      HttpResponse<String> r = f.poll("/message-bus/abc/poll?dlp=t", "/foo=0");

      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body()).isEqualTo("internal error");
    }
  }

  @Test
  void getWithoutBody_subscribesToNothing() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      HttpResponse<String> r =
          f.send(HttpRequest.newBuilder(f.uri("/message-bus/abc/poll?dlp=t")).GET().build());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("[]");
      assertThat(r.headers().firstValue("set-cookie")).isEmpty();
    }
  }
}
