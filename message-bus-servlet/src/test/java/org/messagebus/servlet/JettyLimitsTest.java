// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The limits {@link MessageBusServer} leaves to Jetty, as the README's table of limits states them
 * (a request head over 8 KiB is refused before the filter), and the errors Jetty answers itself:
 * each is one line of {@code text/plain; charset=utf-8} with the status Jetty chose, for every
 * method and whatever the {@code Accept} header, never Jetty's HTML or JSON error page (found by
 * the adversarial fuzzers of {@code message-bus-it}).
 */
class JettyLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static ServerFixture f;

  @BeforeAll
  static void start() {
    f = ServerFixture.start(HttpTransportOptions.builder());
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String exchange(String request) throws Exception {
    try (RawConnection c = RawConnection.open(f.port())) {
      c.send(request);
      return c.awaitClosed(WAIT);
    }
  }

  /** One response: status, headers (lower-case names) and body, as received. */
  record Reply(int status, String head, String body) {
    static Reply parse(String raw) {
      int end = raw.indexOf("\r\n\r\n");
      assertThat(end).as("a complete response head in: %s", raw).isPositive();
      String head = raw.substring(0, end);
      assertThat(head).startsWith("HTTP/1.1 ");
      return new Reply(Integer.parseInt(head.substring(9, 12)), head, raw.substring(end + 4));
    }

    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).strip();
        }
      }
      return null;
    }
  }

  private static void assertOneLinePlainText(Reply r) {
    assertThat(r.header("Content-Type")).isEqualTo("text/plain;charset=utf-8");
    assertThat(r.body()).isNotBlank().doesNotContain("\n", "\r", "<", "{");
    assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(r.body().length()));
  }

  @Test
  void headerFieldsOver8KiB_are431() throws Exception {
    Reply r =
        Reply.parse(
            exchange(
                RawConnection.post(
                    "/message-bus/abc/poll?dlp=t",
                    "application/x-www-form-urlencoded",
                    "",
                    "X-Big: " + "x".repeat(9000),
                    "Connection: close")));
    assertThat(r.status()).isEqualTo(431);
    assertOneLinePlainText(r);
  }

  @Test
  void uriOver8KiB_is414() throws Exception {
    Reply r =
        Reply.parse(
            exchange(
                RawConnection.post(
                    "/message-bus/abc/poll?dlp=t&pad=" + "x".repeat(9000),
                    "application/x-www-form-urlencoded",
                    "",
                    "Connection: close")));
    assertThat(r.status()).isEqualTo(414);
    assertOneLinePlainText(r);
  }

  static Stream<Arguments> jettyErrors() {
    String poll = "/message-bus/abc/poll?dlp=t";
    return Stream.of(
        Arguments.of("garbage request line", "GARBAGE\r\n\r\n", 400),
        Arguments.of(
            "empty Host", "POST " + poll + " HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n", 400),
        Arguments.of(
            "two Host headers",
            "POST " + poll + " HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 0\r\n\r\n",
            400),
        Arguments.of(
            "lower-case method and the asterisk target",
            "post * HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            400),
        Arguments.of(
            "Expect: nonsense on PATCH",
            "PATCH " + poll + " HTTP/1.1\r\nHost: localhost\r\nExpect: nonsense\r\n\r\n",
            417),
        Arguments.of(
            "Expect: nonsense with Accept: application/json",
            "POST "
                + poll
                + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nExpect: nonsense\r\n"
                + "Content-Length: 0\r\n\r\n",
            417),
        Arguments.of(
            "HTTP/2.0 on the cleartext HTTP/1.1 connector",
            "TRACE " + poll + " HTTP/2.0\r\nHost: localhost\r\n\r\n",
            426),
        Arguments.of(
            "an unknown HTTP version",
            "POST " + poll + " HTTP/1.2\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
            505),
        Arguments.of(
            "header fields over 8 KiB on OPTIONS",
            "OPTIONS "
                + poll
                + " HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "x".repeat(9000)
                + "\r\n\r\n",
            431),
        Arguments.of(
            "an encoded slash (Jetty's ambiguous path) with Accept: text/html",
            "POST /message-bus/c%2Fx/poll HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n",
            400),
        Arguments.of(
            "DELETE of a path no servlet serves",
            "DELETE /nothing-here HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            404),
        Arguments.of(
            "GET of a path no servlet serves with Accept: text/plain",
            "GET /nothing-here HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain\r\n"
                + "Connection: close\r\n\r\n",
            404));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("jettyErrors")
  void jettyError_isOneLineOfPlainText_withJettysStatus(String what, String request, int status)
      throws Exception {
    Reply r = Reply.parse(exchange(request));
    assertThat(r.status()).as(what).isEqualTo(status);
    assertOneLinePlainText(r);
  }

  @Test
  void jettyError_toHead_hasTheHeadersAndNoBody() throws Exception {
    String raw =
        exchange(
            "HEAD /message-bus/c%2Fx/poll HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    Reply r = Reply.parse(raw);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.header("Content-Type")).isEqualTo("text/plain;charset=utf-8");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void jettyError_reasonFromTheRequest_staysOneLine() throws Exception {
    // A header Jetty refuses; whatever of it Jetty's message repeats is escaped.
    Reply r =
        Reply.parse(
            exchange(
                "POST /message-bus/abc/poll?dlp=t HTTP/1.1\r\nHost: localhost\r\n"
                    + "Transfer-Encoding: gzip\r\nConnection: close\r\n\r\n"));
    assertThat(r.status()).isBetween(400, 499);
    assertOneLinePlainText(r);
    assertThat(r.body().toLowerCase(Locale.ROOT)).doesNotContain("html", "stack", "exception");
  }
}
