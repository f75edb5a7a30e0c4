// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.eclipse.jetty.util.thread.Invocable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;

/**
 * The Jetty knobs of {@link MessageBusServer}: thread pool, idle timeout, buffers, header cache.
 */
class ServerOptionsTest {

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();

  @AfterEach
  void close() {
    bus.close();
  }

  @Test
  void defaults_disableTheHeaderCache_andKeepTheIdleTimeoutAboveTheInterval() {
    try (MessageBusServer server = MessageBusServer.builder(bus).port(0).build().start()) {
      assertThat(server.httpConfiguration().getHeaderCacheSize()).isZero();
      assertThat(server.httpConfiguration().getOutputBufferSize())
          .isEqualTo(MessageBusServer.DEFAULT_OUTPUT_BUFFER_SIZE);
      assertThat(server.maxThreads())
          .isEqualTo(
              MessageBusServer.defaultMaxThreads(
                  server.adapter() == MessageBusServer.Adapter.JETTY_CORE,
                  Runtime.getRuntime().availableProcessors()));
      assertThat(server.idleTimeoutMillis()).isEqualTo(Duration.ofSeconds(55).toMillis());
      assertThat(server.httpConfiguration().getInputBufferSize())
          .isEqualTo(MessageBusServer.DEFAULT_INPUT_BUFFER_SIZE);
      // Jetty's pool says "heap=<kept>/<max>,direct=<kept>/<max>"
      assertThat(server.bufferPool().toString())
          .containsPattern("heap=\\d+/" + MessageBusServer.DEFAULT_BUFFER_POOL_MAX_MEMORY)
          .containsPattern("direct=\\d+/" + MessageBusServer.DEFAULT_BUFFER_POOL_MAX_MEMORY);
      // bounded: above 256, Jetty's bucket walks at most 256 entries for a free buffer
      assertThat(
              server
                  .bufferPool()
                  .poolFor(MessageBusServer.DEFAULT_INPUT_BUFFER_SIZE, true)
                  .getMaxSize())
          .isEqualTo(MessageBusServer.DEFAULT_BUFFER_POOL_MAX_BUCKET_SIZE)
          .isGreaterThan(256);
    }
  }

  @Test
  void requestLongerThanTheInputBuffer_isReadInSeveralPieces() throws Exception {
    bus.publish("/big", "hello");
    try (MessageBusServer server =
            MessageBusServer.builder(bus).port(0).inputBufferSize(512).build().start();
        RawConnection c = RawConnection.open(server.port())) {
      // a 3 KiB cookie and a 2 KiB body: both longer than the 512-byte buffer
      StringBuilder body = new StringBuilder("/big=0");
      for (int i = 0; body.length() < 2048; i++) {
        body.append("&/other-").append(i).append("=-1");
      }
      String request =
          "POST /message-bus/abc/poll?dlp=t HTTP/1.1\r\nHost: localhost\r\n"
              + "Cookie: session="
              + "x".repeat(3072)
              + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              + "Content-Length: "
              + body.length()
              + "\r\n\r\n"
              + body;
      c.send(request);

      String text = c.awaitContains("\"hello\"", Duration.ofSeconds(10));
      assertThat(text).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void keptAliveConnection_answersRepeatedRequests_withoutTheHeaderCache() throws Exception {
    try (MessageBusServer server = MessageBusServer.builder(bus).port(0).build().start();
        RawConnection c = RawConnection.open(server.port())) {
      String options =
          "OPTIONS /message-bus/abc/poll HTTP/1.1\r\nHost: localhost\r\n"
              + "X-Custom: same-value\r\nContent-Length: 0\r\n\r\n";
      c.send(options + options + options);

      String text = c.awaitContains("OK", Duration.ofSeconds(10));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> countOf(c.text(), "HTTP/1.1 200") == 3);
      assertThat(text).doesNotContain("HTTP/1.1 4");
      assertThat(c.isClosedByServer()).isFalse();
    }
  }

  @Test
  void configuredKnobs_areApplied_andAnIdleConnectionIsClosed() throws Exception {
    try (MessageBusServer server =
            MessageBusServer.builder(bus)
                .port(0)
                .httpOptions(
                    HttpTransportOptions.builder()
                        .longPollingInterval(Duration.ofMillis(200))
                        .build())
                .maxThreads(16)
                .outputBufferSize(4096)
                .inputBufferSize(1024)
                .bufferPoolMaxMemory(1 << 20)
                .bufferPoolMaxBucketSize(128)
                .idleTimeout(Duration.ofMillis(500))
                .build()
                .start();
        RawConnection c = RawConnection.open(server.port())) {
      assertThat(server.maxThreads()).isEqualTo(16);
      assertThat(server.httpConfiguration().getOutputBufferSize()).isEqualTo(4096);
      assertThat(server.httpConfiguration().getInputBufferSize()).isEqualTo(1024);
      assertThat(server.bufferPool().toString()).containsPattern("direct=\\d+/1048576");
      assertThat(server.bufferPool().poolFor(1024, true).getMaxSize()).isEqualTo(128);
      assertThat(server.idleTimeoutMillis()).isEqualTo(500);

      c.awaitClosed(Duration.ofSeconds(10));
    }
  }

  @Test
  void threadPool_isSmallWhenPollsRunOnTheIoThread_andLargerWhenRequestsMayBlock() {
    // 8 per processor between 16 and 64 when only hand-offs reach the pool
    assertThat(MessageBusServer.defaultMaxThreads(true, 1)).isEqualTo(16);
    assertThat(MessageBusServer.defaultMaxThreads(true, 2)).isEqualTo(16);
    assertThat(MessageBusServer.defaultMaxThreads(true, 4)).isEqualTo(32);
    assertThat(MessageBusServer.defaultMaxThreads(true, 96)).isEqualTo(64);
    assertThat(MessageBusServer.defaultMaxThreads(false, 2))
        .isEqualTo(MessageBusServer.DEFAULT_MAX_THREADS);
    int ioThreadDefault =
        MessageBusServer.defaultMaxThreads(true, Runtime.getRuntime().availableProcessors());

    try (MessageBusServer core =
        MessageBusServer.builder(bus).adapter(MessageBusServer.Adapter.JETTY_CORE).build()) {
      assertThat(core.maxThreads()).isEqualTo(ioThreadDefault);
    }
    try (MessageBusServer blockingLookup =
        MessageBusServer.builder(bus)
            .adapter(MessageBusServer.Adapter.JETTY_CORE)
            .httpOptions(HttpTransportOptions.builder().userIdFromRequest(r -> "u").build())
            .build()) {
      assertThat(blockingLookup.maxThreads()).isEqualTo(MessageBusServer.DEFAULT_MAX_THREADS);
    }
    try (MessageBusServer nonBlockingLookup =
        MessageBusServer.builder(bus)
            .adapter(MessageBusServer.Adapter.JETTY_CORE)
            .httpOptions(
                HttpTransportOptions.builder()
                    .userIdFromRequest(r -> "u")
                    .nonBlockingLookups(true)
                    .build())
            .build()) {
      assertThat(nonBlockingLookup.maxThreads()).isEqualTo(ioThreadDefault);
    }
    try (MessageBusServer nonBlockingHandler =
        MessageBusServer.builder(bus)
            .handler(declining(Invocable.InvocationType.NON_BLOCKING))
            .build()) {
      assertThat(nonBlockingHandler.maxThreads()).isEqualTo(ioThreadDefault);
    }
    try (MessageBusServer blockingHandler =
        MessageBusServer.builder(bus)
            .handler(declining(Invocable.InvocationType.BLOCKING))
            .build()) {
      assertThat(blockingHandler.maxThreads()).isEqualTo(MessageBusServer.DEFAULT_MAX_THREADS);
    }
    try (MessageBusServer servlet =
        MessageBusServer.builder(bus).adapter(MessageBusServer.Adapter.SERVLET).build()) {
      assertThat(servlet.maxThreads()).isEqualTo(MessageBusServer.DEFAULT_MAX_THREADS);
    }
    try (MessageBusServer explicit =
        MessageBusServer.builder(bus)
            .adapter(MessageBusServer.Adapter.SERVLET)
            .maxThreads(9)
            .build()) {
      assertThat(explicit.maxThreads()).isEqualTo(9);
    }
  }

  @Test
  void acceptingOnTheSelector_servesNewConnectionsAndKeptAliveOnes() throws Exception {
    bus.publish("/accept", "hello");
    try (MessageBusServer server =
        MessageBusServer.builder(bus).port(0).acceptors(0).build().start()) {
      assertThat(server.acceptors()).isZero();
      // several connections, each with two requests: accepted and read by the selector thread
      for (int i = 0; i < 5; i++) {
        try (RawConnection c = RawConnection.open(server.port())) {
          String poll =
              "POST /message-bus/acceptor-"
                  + i
                  + "/poll?dlp=t HTTP/1.1\r\nHost: localhost\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\n"
                  + "Content-Length: 10\r\n\r\n/accept=-2";
          c.send(poll + poll);
          org.awaitility.Awaitility.await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> countOf(c.text(), "\"data\":\"hello\"") == 2);
          assertThat(c.text()).doesNotContain("HTTP/1.1 4").doesNotContain("HTTP/1.1 5");
        }
      }
    }
    try (MessageBusServer server = MessageBusServer.builder(bus).port(0).build().start()) {
      // Jetty's default: one acceptor thread
      assertThat(server.acceptors()).isEqualTo(1);
    }
  }

  @Test
  void badKnobs_areRejected_namingTheArgument() {
    MessageBusServer.Builder b = MessageBusServer.builder(bus);
    assertThatThrownBy(() -> b.maxThreads(2)).hasMessageContaining("maxThreads");
    assertThatThrownBy(() -> b.acceptors(-2)).hasMessageContaining("acceptors");
    assertThatThrownBy(() -> b.acceptors(65)).hasMessageContaining("acceptors");
    assertThatThrownBy(() -> b.outputBufferSize(10)).hasMessageContaining("outputBufferSize");
    assertThatThrownBy(() -> b.inputBufferSize(10)).hasMessageContaining("inputBufferSize");
    assertThatThrownBy(() -> b.bufferPoolMaxMemory(0)).hasMessageContaining("bufferPoolMaxMemory");
    assertThatThrownBy(() -> b.bufferPoolMaxBucketSize(0))
        .hasMessageContaining("bufferPoolMaxBucketSize");
    assertThatThrownBy(() -> b.bufferPoolMaxBucketSize(-2))
        .hasMessageContaining("bufferPoolMaxBucketSize");
    assertThatThrownBy(() -> b.idleTimeout(Duration.ZERO)).hasMessageContaining("idleTimeout");
    assertThatThrownBy(() -> b.idleTimeout(Duration.ofSeconds(5)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idleTimeout must exceed the long-polling interval");
  }

  private static int countOf(String text, String fragment) {
    int n = 0;
    for (int i = text.indexOf(fragment); i >= 0; i = text.indexOf(fragment, i + 1)) {
      n++;
    }
    return n;
  }

  /** An application handler of the given invocation type that declines every request. */
  private static org.eclipse.jetty.server.Handler declining(Invocable.InvocationType type) {
    return new org.eclipse.jetty.server.Handler.Abstract(type) {
      @Override
      public boolean handle(
          org.eclipse.jetty.server.Request request,
          org.eclipse.jetty.server.Response response,
          org.eclipse.jetty.util.Callback callback) {
        return false;
      }
    };
  }
}
