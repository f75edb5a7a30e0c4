// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.servlet.DeadlineHttpConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

/**
 * On Boot's Jetty the starter's connectors keep {@code message-bus.http.request-head-timeout} and
 * {@code request-body-timeout} for every request: a client trickling its head or body a byte at a
 * time (each byte restarts Jetty's idle timeout) has its connection closed at the deadline.
 */
@SpringBootTest(
    classes = {EndToEndContract.App.class, JettyEndToEndTest.Jetty.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "message-bus.keepalive-interval=0",
      "message-bus.http.request-head-timeout=1s",
      "message-bus.http.request-body-timeout=1s",
      "server.address=127.0.0.1"
    })
@Timeout(60)
class JettyRequestDeadlinesTest {

  private static final int WAIT_MILLIS = 20_000;

  @LocalServerPort int port;
  @Autowired ServletWebServerApplicationContext context;

  private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopTrickling() {
    trickler.shutdownNow();
  }

  @Test
  void connectors_keepTheConfiguredDeadlines() {
    Server server = ((JettyWebServer) context.getWebServer()).getServer();
    assertThat(server.getConnectors())
        .isNotEmpty()
        .allSatisfy(
            c -> {
              DeadlineHttpConnectionFactory f =
                  ((ServerConnector) c).getConnectionFactory(DeadlineHttpConnectionFactory.class);
              assertThat(f).isNotNull();
              assertThat(f.requestHeadTimeout()).isEqualTo(Duration.ofSeconds(1));
              assertThat(f.requestBodyTimeout()).isEqualTo(Duration.ofSeconds(1));
            });
  }

  @Test
  void trickledHead_isClosedAtTheHeadDeadline() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(WAIT_MILLIS);
      AtomicInteger sent =
          trickle(socket, "GET /message-bus/abc/poll HTTP/1.1\r\nHost: x\r\n", "X-Slow: abc\r\n");

      assertThat(closedByServer(socket)).isTrue();
      // Closed by the deadline (about 10 bytes in), not by Jetty's idle timeout (never, here).
      assertThat(sent.get()).isLessThan(100);
    }
  }

  @Test
  void trickledBody_isClosedAtTheBodyDeadline() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(WAIT_MILLIS);
      AtomicInteger sent =
          trickle(
              socket,
              "POST /message-bus/abc/poll HTTP/1.1\r\nHost: x\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\n"
                  + "Content-Length: 10000\r\n\r\n/a=0",
              "&");

      assertThat(closedByServer(socket)).isTrue();
      assertThat(sent.get()).isLessThan(100);
    }
  }

  /** A missing key alias fails the start with Boot's own message, as Boot's TLS connector does. */
  @Test
  void tlsWithAMissingKeyAlias_failsTheStart_asBootsConnectorDoes() throws Exception {
    Path store = JettyTlsTest.newKeyStore();
    SpringApplication app =
        new SpringApplication(EndToEndContract.App.class, JettyEndToEndTest.Jetty.class);
    assertThatThrownBy(
            () ->
                app.run(
                        "--server.port=0",
                        "--server.address=127.0.0.1",
                        "--message-bus.keepalive-interval=0",
                        "--server.ssl.key-store=" + store.toUri(),
                        "--server.ssl.key-store-password=" + JettyTlsTest.PASSWORD,
                        "--server.ssl.key-store-type=PKCS12",
                        "--server.ssl.key-alias=missing")
                    .close())
        .rootCause()
        .hasMessageContaining("alias 'missing'");
  }

  /**
   * Sends {@code start} at once, then one byte of {@code trickle} every 100 ms (repeating it),
   * until the server closes the connection; returns the number of trickled bytes it took.
   */
  private AtomicInteger trickle(Socket socket, String start, String trickle) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(start.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    AtomicInteger sent = new AtomicInteger();
    byte[] bytes = trickle.getBytes(StandardCharsets.US_ASCII);
    trickler.scheduleAtFixedRate(
        () -> {
          try {
            out.write(bytes[sent.get() % bytes.length]);
            out.flush();
            sent.incrementAndGet();
          } catch (IOException closedByServer) {
            throw new RuntimeException(closedByServer); // ends the schedule
          }
        },
        100,
        100,
        TimeUnit.MILLISECONDS);
    return sent;
  }

  /** Reads until the server closes (true) or the socket's timeout passes (false). */
  private static boolean closedByServer(Socket socket) {
    try {
      while (socket.getInputStream().read() >= 0) {
        // whatever the server said before closing
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }
}
