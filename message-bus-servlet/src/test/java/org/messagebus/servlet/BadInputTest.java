// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed requests get a 4xx with a one-line reason, never a 500 (Ruby answers some with 500),
 * and are logged at DEBUG at most: anyone can send them.
 */
class BadInputTest {

  private static ServerFixture f;

  @BeforeAll
  static void start() {
    f =
        ServerFixture.start(
            HttpTransportOptions.builder().maxBodyBytes(1024).maxChannels(3).maxClientIdLength(16));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  static Stream<Arguments> badRequests() {
    String json = "application/json";
    String form = "application/x-www-form-urlencoded";
    return Stream.of(
        Arguments.of("invalid JSON", json, "{\"/foo\":", "abc", 400, "the JSON body is invalid"),
        Arguments.of("JSON array", json, "[1,2]", "abc", 400, "must be an object"),
        Arguments.of("JSON string", json, "\"x\"", "abc", 400, "must be an object"),
        Arguments.of("boolean position", json, "{\"/foo\":true}", "abc", 400, "must be a number"),
        Arguments.of("object position", json, "{\"/foo\":{}}", "abc", 400, "must be a number"),
        Arguments.of("trailing JSON", json, "{\"/foo\":1} x", "abc", 400, "invalid"),
        Arguments.of("body too large", form, "/foo=" + "1".repeat(2000), "abc", 413, "too large"),
        Arguments.of("too many channels", form, "/a=1&/b=1&/c=1&/d=1", "abc", 400, "too many"),
        Arguments.of(
            "too many JSON channels",
            json,
            "{\"/a\":1,\"/b\":1,\"/c\":1,\"/d\":1}",
            "abc",
            400,
            "too many"),
        Arguments.of(
            "overlong client id", form, "/foo=1", "x".repeat(17), 400, "client id too long"),
        Arguments.of("non-numeric __seq", form, "/foo=1&__seq=abc", "abc", 400, "__seq"),
        Arguments.of("non-numeric JSON __seq", json, "{\"__seq\":\"x\"}", "abc", 400, "__seq"),
        Arguments.of(
            "site separator in channel", form, "%2Ffoo%24%7C%24s=1", "abc", 400, "invalid channel"),
        Arguments.of("bad URL encoding", form, "%zz=1", "abc", 400, "URL encoding"),
        Arguments.of("invalid UTF-8 in a form", form, "%C3%28=1", "abc", 400, "not valid UTF-8"),
        Arguments.of(
            "unknown charset, form", "text/plain; charset=ebcdic", "/a=0", "abc", 415, "charset"),
        Arguments.of(
            "unknown charset, JSON", json + "; charset=ebcdic", "{}", "abc", 415, "charset"),
        Arguments.of(
            "illegal charset name", form + "; charset=\"a b\"", "/a=0", "abc", 415, "charset"),
        Arguments.of("too many form fields", form, "x&".repeat(10), "abc", 400, "too many"),
        Arguments.of(
            "__seq beyond 64 bits", json, "{\"__seq\":99999999999999999999}", "abc", 400, "__seq"),
        // a reason repeats the client's value escaped, so it stays one line (found by the fuzzer)
        Arguments.of(
            "CR LF in a channel with a bad position",
            json,
            "{\"/\\r\\n|\\r\\n\":[]}",
            "abc",
            400,
            "the position of /\\r\\n|\\r\\n must be"),
        Arguments.of(
            "CR LF and NEL in an invalid channel name",
            form,
            "%2Fa%0D%0A%C2%85%24%7C%24b=1",
            "abc",
            400,
            "invalid channel name: /a\\r\\n\\u0085$|$b"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badRequest_gets4xxWithOneLineReason_andLogsNothingAboveDebug(
      String name, String contentType, String body, String clientId, int status, String reason)
      throws Exception {
    HttpResponse<String> r;
    try (LogCapture log = LogCapture.start()) {
      r =
          f.send(
              HttpRequest.newBuilder(f.uri("/message-bus/" + clientId + "/poll?dlp=t"))
                  .header("Content-Type", contentType)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build());

      assertThat(log.at("ERROR")).isEmpty();
      assertThat(log.at("WARN")).isEmpty();
      assertThat(log.stackTraceLines()).isEmpty();
    }

    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(r.body())
        .contains(reason)
        .doesNotContain("\n", "\r", "\u0085")
        .doesNotContain("Exception");
    assertThat(r.headers().firstValue("content-type")).hasValue("text/plain;charset=utf-8");
    if (status == 413) {
      // the unread body must not be taken for the next request on a reused connection
      assertThat(r.headers().firstValue("connection")).hasValue("close");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badRequest_leavesTheServerServing(
      String name, String contentType, String body, String clientId, int status, String reason)
      throws Exception {
    f.send(
        HttpRequest.newBuilder(f.uri("/message-bus/" + clientId + "/poll?dlp=t"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
    long id = f.bus.publish("/after", "still here");

    assertThat(f.pollNow("ok", "/after=" + (id - 1)))
        .extracting(m -> m.get("data"))
        .containsExactly("still here");
  }

  @org.junit.jupiter.api.Test
  void malformedLossOptIn_onAPollAndAnEventStream_is400WithAReason_andLogsNothingAboveDebug()
      throws Exception {
    HttpResponse<String> poll;
    HttpResponse<String> sse;
    try (LogCapture log = LogCapture.start()) {
      poll =
          f.send(
              HttpRequest.newBuilder(f.uri("/message-bus/abc/poll?dlp=t&__loss=yes"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString("/a=0"))
                  .build());
      sse = f.send(HttpRequest.newBuilder(f.uri("/message-bus/abc/sse?%2Fa=0&__loss=2")).build());

      assertThat(log.at("ERROR")).isEmpty();
      assertThat(log.at("WARN")).isEmpty();
      assertThat(log.stackTraceLines()).isEmpty();
    }
    assertThat(poll.statusCode()).isEqualTo(400);
    assertThat(poll.body()).isEqualTo("__loss must be 1 (report lost messages) or 0: yes");
    assertThat(sse.statusCode()).isEqualTo(400);
    assertThat(sse.body()).isEqualTo("__loss must be 1 (report lost messages) or 0: 2");
  }
}
