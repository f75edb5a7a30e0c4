// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@link EndToEndContract} on Tomcat 11, Spring Boot's default container. */
@SpringBootTest(
    classes = {EndToEndContract.App.class, TomcatEndToEndTest.Tomcat.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "message-bus.keepalive-interval=0",
      "message-bus.http.long-polling-interval=8s",
      "message-bus.websocket.enabled=true",
      "server.address=127.0.0.1"
    })
class TomcatEndToEndTest extends EndToEndContract {

  @Configuration(proxyBeanMethods = false)
  static class Tomcat {
    @Bean
    TomcatServletWebServerFactory tomcat() {
      return new TomcatServletWebServerFactory();
    }
  }
}
