// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.servlet.DeadlineHttpConnectionFactory;
import org.messagebus.testkit.TricklingClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
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
      "server.max-http-request-header-size=16KB",
      "server.jetty.connection-idle-timeout=45s",
      "server.address=127.0.0.1"
    })
@Timeout(60)
class JettyRequestDeadlinesTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @LocalServerPort int port;
  @Autowired ServletWebServerApplicationContext context;

  @Test
  void connectors_keepTheConfiguredDeadlines_andBootsSettings() {
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
              // Boot's own settings, applied by its customizers after the replacement, reach
              // the connectors that serve
              assertThat(f.getHttpConfiguration().getRequestHeaderSize()).isEqualTo(16 * 1024);
              assertThat(((ServerConnector) c).getIdleTimeout()).isEqualTo(45_000);
            });
  }

  @Test
  void trickledHead_isClosedAtTheHeadDeadline() throws Exception {
    try (TricklingClient slow = TricklingClient.trickledHead(port, "/message-bus/abc/poll", WAIT)) {
      assertThat(slow.closedByServer()).isTrue();
      // Closed by the deadline (about 10 bytes in), not by Jetty's idle timeout (never, here).
      assertThat(slow.trickled()).isLessThan(100);
    }
  }

  @Test
  void trickledBody_isClosedAtTheBodyDeadline() throws Exception {
    try (TricklingClient slow = TricklingClient.trickledBody(port, "/message-bus/abc/poll", WAIT)) {
      assertThat(slow.closedByServer()).isTrue();
      assertThat(slow.trickled()).isLessThan(100);
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

  @Test
  void negativeDeadline_failsNamingTheProperty() {
    for (String property :
        List.of("message-bus.http.request-head-timeout", "message-bus.http.request-body-timeout")) {
      MessageBusProperties properties =
          new Binder(new MapConfigurationPropertySource(Map.of(property, "-1s")))
              .bindOrCreate("message-bus", MessageBusProperties.class);
      assertThatThrownBy(
              () -> new JettyBufferGuardConfiguration().messageBusJettyBufferGuard(properties))
          .isInstanceOf(InvalidMessageBusPropertyException.class)
          .hasMessageContaining(property);
    }
  }
}
