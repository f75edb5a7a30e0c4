// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The broadcast route parses its query and form itself: bad encoding, bad UTF-8, an unknown
 * charset, an oversized form or too many fields get a 4xx with a one-line reason and nothing above
 * DEBUG in the log. (The container's own parsing threw, and the filter answered 500 with an ERROR
 * and a stack trace.)
 */
class BroadcastBadInputTest {

  private static final String FORM = "application/x-www-form-urlencoded";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static ServerFixture f;

  @BeforeAll
  static void start() {
    f = ServerFixture.start(HttpTransportOptions.builder().allowBroadcast(true));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  static Stream<Arguments> badBroadcasts() {
    StringBuilder manyFields = new StringBuilder("channel=%2Fb&data=x");
    for (int i = 0; i < 1100; i++) {
      manyFields.append("&f").append(i).append("=1");
    }
    return Stream.of(
        Arguments.of(
            "bad encoding in the query", "?channel=%ZZ&data=x", null, "", 400, "URL encoding"),
        Arguments.of("bad UTF-8 in the query", "?channel=%C3%28&data=x", null, "", 400, "UTF-8"),
        Arguments.of(
            "bad encoding in the form", "", FORM, "channel=%ZZ&data=x", 400, "URL encoding"),
        Arguments.of("bad UTF-8 in the form", "", FORM, "channel=%2Fb&data=%C3%28", 400, "UTF-8"),
        Arguments.of(
            "form over the body limit",
            "",
            FORM,
            "channel=%2Fb&data=" + "x".repeat(70_000),
            413,
            "too large"),
        Arguments.of("too many form fields", "", FORM, manyFields.toString(), 400, "too many"),
        Arguments.of(
            "unknown charset",
            "",
            FORM + "; charset=ebcdic",
            "channel=%2Fb&data=x",
            415,
            "charset"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBroadcasts")
  void badBroadcast_gets4xxWithOneLineReason_publishesNothing_andLogsNothingAboveDebug(
      String name, String query, String contentType, String body, int status, String reason)
      throws Exception {
    long before = f.bus.lastId("/b");
    String raw;
    try (LogCapture log = LogCapture.start();
        RawConnection c = RawConnection.open(f.port())) {
      c.send(
          RawConnection.post(
              "/message-bus/broadcast" + query, contentType, body, "Connection: close"));
      raw = c.awaitClosed(WAIT);

      assertThat(log.at("ERROR")).isEmpty();
      assertThat(log.at("WARN")).isEmpty();
      assertThat(log.stackTraceLines()).isEmpty();
    }

    assertThat(raw).startsWith("HTTP/1.1 " + status + " ");
    String reply = raw.substring(raw.indexOf("\r\n\r\n") + 4);
    assertThat(reply).contains(reason).doesNotContain("\n").doesNotContain("Exception");
    assertThat(f.bus.lastId("/b")).isEqualTo(before);
  }

  @Test
  void goodBroadcast_takesTheQueryBeforeTheForm() throws Exception {
    try (RawConnection c = RawConnection.open(f.port())) {
      c.send(
          RawConnection.post(
              "/message-bus/broadcast?channel=%2Fq&data=from+query",
              FORM, "data=from+form&channel=%2Fnot", "Connection: close"));
      assertThat(c.awaitClosed(WAIT)).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\nsent");
    }
    assertThat(f.bus.backlog("/q", 0)).extracting(m -> m.data()).containsExactly("from query");
  }
}
