// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.messagebus.MessageBus;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * Issue 11 item 5: a subscription change cuts the poll in flight short, at every stage of it. The
 * server holds a poll for ten minutes, far longer than the few seconds each test waits (and than
 * the test timeout), so only an aborted poll can deliver in time.
 */
class SubscribeDuringHeldPollTest {

  private static final Duration HELD_FOR = Duration.ofMinutes(10);

  private static ClientMessage next(BlockingQueue<ClientMessage> q) throws InterruptedException {
    ClientMessage m = q.poll(10, TimeUnit.SECONDS);
    assertThat(m).as("a message within 10 s (the held poll lasts 10 min)").isNotNull();
    return m;
  }

  @ParameterizedTest(name = "streaming={0}")
  @ValueSource(booleans = {false, true})
  void subscribingDuringAHeldLongPoll_cutsItShort(boolean streaming) throws Exception {
    try (MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
        MessageBusServer server =
            MessageBusServer.builder(bus)
                .port(0)
                .httpOptions(
                    HttpTransportOptions.builder()
                        .longPollingInterval(HELD_FOR)
                        .longPollingMinHold(HELD_FOR)
                        .build())
                .build()
                .start();
        MessageBusClient client =
            MessageBusClient.builder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                .chunkedEncoding(streaming)
                .build()) {
      client.subscribe("/first", -1, m -> {});
      await().atMost(Duration.ofSeconds(10)).until(() -> server.filter().heldPolls() == 1);
      BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();

      client.subscribe("/second", 0, got::add);
      bus.publish("/second", "quick");

      assertThat(next(got).data()).isEqualTo("quick");
    }
  }

  @Test
  void subscribingBeforeTheHeldPollHasItsHeaders_cutsItShort() throws Exception {
    // A server that sends no headers at all for a poll without /second (as a proxy buffering a
    // reply would), and answers one with /second at once.
    CountDownLatch firstPollArrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService handlers = Executors.newCachedThreadPool();
    server.setExecutor(handlers);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (!body.contains("/second")) {
              firstPollArrived.countDown();
              release.await(HELD_FOR.toMillis(), TimeUnit.MILLISECONDS);
              return;
            }
            byte[] reply =
                "[{\"global_id\":7,\"message_id\":1,\"channel\":\"/second\",\"data\":\"quick\"}]"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(200, reply.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(reply);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
    try (MessageBusClient client =
        MessageBusClient.builder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"))
            .build()) {
      client.subscribe("/first", -1, m -> {});
      assertThat(firstPollArrived.await(10, TimeUnit.SECONDS)).isTrue();
      BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();

      client.subscribe("/second", 0, got::add);

      assertThat(next(got).data()).isEqualTo("quick");
    } finally {
      release.countDown();
      server.stop(0);
      handlers.shutdownNow();
    }
  }
}
