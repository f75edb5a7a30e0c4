// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.messagebus.testkit.Services;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/** One INFO line at start-up: backend (password redacted), endpoint path, site lookup on or off. */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class StartupLogTest {

  @Test
  void webApplication_onMemory_logsBackendEndpointAndSiteLookup(CapturedOutput output) {
    try (ConfigurableApplicationContext ctx =
        new SpringApplication(EndToEndContract.App.class)
            .run(
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--server.servlet.context-path=/app",
                "--message-bus.http.base-route=/api",
                "--message-bus.keepalive-interval=0",
                "--logging.level.org.messagebus.spring=INFO")) {
      assertThat(ctx.isActive()).isTrue();
      assertThat(output.getOut())
          .contains(
              "MessageBus ready: backend memory (this process only), endpoint"
                  + " /app/api/message-bus/, site lookup off");
    }
  }

  @Test
  void postgresUrl_isLoggedWithThePasswordRedacted(CapturedOutput output) throws Exception {
    Services.requirePostgres();
    try (ConfigurableApplicationContext ctx =
        new SpringApplication(FailureAnalyzerTest.NonWeb.class)
            .run(
                "--spring.main.web-application-type=none",
                "--message-bus.backend=postgres",
                "--message-bus.postgres.url=" + LocalServices.PG_URL + "&password=s3cret",
                "--message-bus.postgres.schema=mb_starter_log",
                "--message-bus.keepalive-interval=0",
                "--logging.level.org.messagebus.spring=INFO")) {
      assertThat(ctx.isActive()).isTrue();
      assertThat(output.getOut())
          .contains(
              "MessageBus ready: backend postgres"
                  + " "
                  + LocalServices.PG_URL
                  + "&password=***"
                  + " (table mb_starter_log.message_bus, notifications on _message_bus_0),"
                  + " endpoint none, site lookup off")
          .doesNotContain("s3cret");
    } finally {
      try (var c = java.sql.DriverManager.getConnection(LocalServices.PG_URL);
          var st = c.createStatement()) {
        st.execute("DROP SCHEMA IF EXISTS mb_starter_log CASCADE");
      }
    }
  }

  @Test
  void siteLookupBean_isReportedOn() {
    var bus =
        org.messagebus.MessageBus.builder().keepaliveInterval(java.time.Duration.ZERO).build();
    try {
      assertThat(
              StartupLog.line(
                  bus,
                  new StartupLog.BackendDescription("memory"),
                  new StartupLog.EndpointDescription("/message-bus/", true)))
          .isEqualTo("MessageBus ready: backend memory, endpoint /message-bus/, site lookup on");
    } finally {
      bus.close();
    }
  }

  @Test
  void redisUris_areDescribedWithoutCredentials() {
    assertThat(
            RedisBackendConfiguration.describe(
                RedisURI.create("redis://user:s3cret@cache.local:6380/2")))
        .isEqualTo("redis://cache.local:6380/2");
    assertThat(StartupLog.redact("rediss://:s3cret@cache:6379/0"))
        .isEqualTo("rediss://***@cache:6379/0");
  }
}
