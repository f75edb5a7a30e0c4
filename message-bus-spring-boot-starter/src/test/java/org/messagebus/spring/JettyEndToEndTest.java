// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.messagebus.servlet.DeadlineHttpConnectionFactory;
import org.messagebus.servlet.GuardedBufferPool;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@link EndToEndContract} on Jetty 12 (ee11), Spring Boot's Jetty starter. */
@SpringBootTest(
    classes = {EndToEndContract.App.class, JettyEndToEndTest.Jetty.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "message-bus.keepalive-interval=0",
      "message-bus.http.long-polling-interval=8s",
      "message-bus.websocket.enabled=true",
      "server.address=127.0.0.1"
    })
class JettyEndToEndTest extends EndToEndContract {

  @Autowired ServletWebServerApplicationContext context;

  /**
   * Boot's connectors serve on the bus's guarded pool (Jetty's request-buffer race,
   * jetty/jetty.project#12939, cannot reach another connection's bytes), with the settings Boot
   * gave them (the address and port this test asked for).
   */
  @Test
  void bootsConnectors_useTheGuardedBufferPool() {
    Server server = ((JettyWebServer) context.getWebServer()).getServer();
    assertThat(server.getConnectors())
        .isNotEmpty()
        .allSatisfy(
            c -> {
              ServerConnector sc = (ServerConnector) c;
              assertThat(sc.getByteBufferPool()).isInstanceOf(GuardedBufferPool.class);
              assertThat(sc.getHost()).isEqualTo("127.0.0.1");
              assertThat(sc.getLocalPort()).isEqualTo(port);
              // the defaults: a head deadline, no body deadline (the application's uploads)
              DeadlineHttpConnectionFactory f =
                  sc.getConnectionFactory(DeadlineHttpConnectionFactory.class);
              assertThat(f).isNotNull();
              assertThat(f.requestHeadTimeout()).isEqualTo(Duration.ofSeconds(10));
              assertThat(f.requestBodyTimeout()).isZero();
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class Jetty {
    @Bean
    JettyServletWebServerFactory jetty() {
      return new JettyServletWebServerFactory();
    }
  }
}
