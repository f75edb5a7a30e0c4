// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.servlet.MessageBusFilter;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Regression: Spring Boot's graceful shutdown (on by default) waits for active requests, and a held
 * poll is one for up to the long-polling interval. The starter answers held polls first.
 */
@Timeout(90)
class GracefulShutdownTest {

  @Test
  void contextClose_answersAHeldPoll_insteadOfWaitingForIt() throws Exception {
    SpringApplication app = new SpringApplication(EndToEndContract.App.class);
    ConfigurableApplicationContext ctx =
        app.run(
            "--server.port=0",
            "--server.address=127.0.0.1",
            "--server.shutdown=graceful",
            "--spring.lifecycle.timeout-per-shutdown-phase=60s",
            "--message-bus.keepalive-interval=0",
            "--message-bus.http.long-polling-interval=120s");
    int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
    MessageBusFilter filter = ctx.getBean(MessageBusFilter.class);
    try (RawHttp poll = RawHttp.connect(port)) {
      poll.post("/message-bus/shutdown/poll", "/shutdown=0", "Dont-Chunk: true");
      await().atMost(Duration.ofSeconds(10)).until(() -> filter.heldPolls() == 1);

      CompletableFuture<Void> closing = CompletableFuture.runAsync(ctx::close);

      // Without the early answer the poll stays held for 60 s (the shutdown phase's timeout).
      String response = poll.readToEnd();
      assertThat(response).startsWith("HTTP/1.1 200 ");
      assertThat(RawHttp.body(response)).isEqualTo("[]");
      closing.get(30, TimeUnit.SECONDS);
    } finally {
      ctx.close();
    }
  }
}
