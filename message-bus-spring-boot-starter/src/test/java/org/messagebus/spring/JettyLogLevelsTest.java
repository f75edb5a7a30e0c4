// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * On Jetty, the starter keeps Jetty's per-request WARN loggers for malformed request heads at ERROR
 * (a client could fill the log), unless the application sets their level itself.
 */
class JettyLogLevelsTest {

  private static ConfigurableApplicationContext start(String... extra) {
    String[] args = new String[extra.length + 3];
    args[0] = "--server.port=0";
    args[1] = "--server.address=127.0.0.1";
    args[2] = "--message-bus.keepalive-interval=0";
    System.arraycopy(extra, 0, args, 3, extra.length);
    return new SpringApplication(EndToEndContract.App.class, JettyEndToEndTest.Jetty.class)
        .run(args);
  }

  @Test
  void jettysMalformedHeadLoggers_areKeptAtError() {
    try (ConfigurableApplicationContext ctx = start()) {
      for (String logger : JettyLogLevels.LOGGERS) {
        assertThat(ctx.getEnvironment().getProperty("logging.level." + logger))
            .as(logger)
            .isEqualTo("ERROR");
        assertThat(LoggerFactory.getLogger(logger).isWarnEnabled()).as(logger).isFalse();
        assertThat(LoggerFactory.getLogger(logger).isErrorEnabled()).as(logger).isTrue();
      }
    }
  }

  @Test
  void theApplicationsOwnLevel_wins() {
    try (ConfigurableApplicationContext ctx =
        start("--logging.level.org.eclipse.jetty.util.HostPort=WARN")) {
      assertThat(ctx.getEnvironment().getProperty("logging.level.org.eclipse.jetty.util.HostPort"))
          .isEqualTo("WARN");
      assertThat(LoggerFactory.getLogger("org.eclipse.jetty.util.HostPort").isWarnEnabled())
          .isTrue();
      assertThat(LoggerFactory.getLogger("org.eclipse.jetty.http.HttpParser").isWarnEnabled())
          .isFalse();
    }
  }
}
