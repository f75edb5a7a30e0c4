package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limits {@link MessageBusServer} leaves to Jetty, as the README's table of limits states them:
 * a request head over 8 KiB (Jetty's {@code requestHeaderSize}) is refused before the filter.
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

  @Test
  void headerFieldsOver8KiB_are431() throws Exception {
    String raw =
        exchange(
            RawConnection.post(
                "/message-bus/abc/poll?dlp=t",
                "application/x-www-form-urlencoded",
                "",
                "X-Big: " + "x".repeat(9000),
                "Connection: close"));
    assertThat(raw).startsWith("HTTP/1.1 431 ");
  }

  @Test
  void uriOver8KiB_is414() throws Exception {
    String raw =
        exchange(
            RawConnection.post(
                "/message-bus/abc/poll?dlp=t&pad=" + "x".repeat(9000),
                "application/x-www-form-urlencoded",
                "",
                "Connection: close"));
    assertThat(raw).startsWith("HTTP/1.1 414 ");
  }
}
