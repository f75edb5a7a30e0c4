// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
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

  @Configuration(proxyBeanMethods = false)
  static class Jetty {
    @Bean
    JettyServletWebServerFactory jetty() {
      return new JettyServletWebServerFactory();
    }
  }
}
