// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bus answers the requests the container maps to its route (the normalised path), and only if
 * their raw path is plain: a path whose two views could differ — dot segments, empty segments,
 * {@code ;} parameters, encoded dots and slashes — is refused with 400, never answered as a poll of
 * some client (which {@code /message-bus/x/../_diagnostics} was, by client {@code x}). Some of
 * these Jetty refuses itself, before the filter.
 */
class PathRoutingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static ServerFixture f;

  @BeforeAll
  static void start() {
    f =
        ServerFixture.start(
            HttpTransportOptions.builder().isAdminLookup(r -> r.getHeader("X-Admin") != null));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String exchange(String path) throws Exception {
    try (RawConnection c = RawConnection.open(f.port())) {
      c.send(
          RawConnection.post(path, "application/x-www-form-urlencoded", "", "Connection: close"));
      return c.awaitClosed(WAIT);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/message-bus/x/../_diagnostics?dlp=t",
        "/message-bus/x/%2e%2e/_diagnostics?dlp=t",
        "/message-bus/x/%2E%2E/abc/poll?dlp=t",
        "/message-bus/abc/./poll?dlp=t",
        "/message-bus/abc/poll/..?dlp=t",
        "/message-bus//poll?dlp=t",
        "/message-bus/abc//poll?dlp=t",
        "/message-bus/a%2Fb/poll?dlp=t",
        "/message-bus/abc;x=1/poll?dlp=t",
        "/message-bus;x=1/abc/poll?dlp=t",
        "/foo/../message-bus/abc/poll?dlp=t",
        "/message-bus/abc%5c/poll?dlp=t",
        "/message-bus/abc%5C/poll?dlp=t",
        "/message-bus/a%2fb/poll?dlp=t",
        "/message-bus/abc/%2E/poll?dlp=t"
      })
  void ambiguousPath_is400_neverAPoll(String path) throws Exception {
    String raw = exchange(path);

    assertThat(raw).as(path).startsWith("HTTP/1.1 400 ");
    assertThat(raw).as(path).doesNotContain("application/json").doesNotEndWith("[]");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/message-bus/x/../_diagnostics?dlp=t",
        "/message-bus/abc;x=1/poll?dlp=t",
        "/message-bus;x=1/abc/poll?dlp=t",
        "/foo/../message-bus/abc/poll?dlp=t"
      })
  void ambiguousPathReachingTheFilter_getsItsOneLineReason(String path) throws Exception {
    String raw = exchange(path);

    assertThat(raw).startsWith("HTTP/1.1 400 ");
    assertThat(raw)
        .endsWith(
            "\r\n\r\nunsupported path: dot segments, empty segments, path parameters and encoded slashes or dots are not accepted");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/message-bus/abc/poll?dlp=t",
        "/message-bus/abc?dlp=t",
        "/message-bus/abc/?dlp=t",
        "/message-bus/a.b/poll?dlp=t",
        "/message-bus/..abc/poll?dlp=t",
        "/message-bus/abc%2d/poll?dlp=t"
      })
  void plainPaths_arePolls(String path) throws Exception {
    String raw = exchange(path);

    assertThat(raw).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\n[]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/message-bus/../elsewhere", "/message-bus/%2e%2e/elsewhere"})
  void pathsTheContainerMapsElsewhere_areNotTheBus(String path) throws Exception {
    String raw = exchange(path);

    // Not answered by the bus: the application's 404 (or Jetty's own 400 for an encoded dot).
    assertThat(raw).matches("(?s)HTTP/1.1 (404|400) .*").doesNotContain("unsupported path");
  }
}
