// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.spi.BackendMessage;
import org.messagebus.testkit.ForwardingBackend;

/**
 * Which thread runs what (issue 13, item 3): with the Jetty core handler and no WebSocket endpoint,
 * a poll the recent window answers is answered or held on Jetty's I/O thread, without a hand-off to
 * a worker thread; a store read, a lookup that may block and the application's handler never run
 * there. With the Servlet adapter nothing runs on the I/O thread. Once per adapter (the suite's
 * executions).
 */
class IoThreadPollTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String DONT_CHUNK = "Dont-Chunk";

  /**
   * Whether the caller runs inside a task that Jetty's selector thread runs itself
   * (produce-consume), i.e. on the I/O thread. Jetty does not tag that thread, so the stack tells.
   */
  static boolean onIoThread() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames.anyMatch(
                    f ->
                        f.getClassName().endsWith(".AdaptiveExecutionStrategy")
                            && f.getMethodName().equals("pcRunTask")));
  }

  /** A memory backend that counts the store reads made on a thread that must not block. */
  static final class WatchingBackend extends ForwardingBackend {
    final AtomicInteger readsOnIoThread = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();

    private void read() {
      reads.incrementAndGet();
      if (onIoThread()) {
        readsOnIoThread.incrementAndGet();
      }
    }

    @Override
    public long lastId(String channel) {
      read();
      return super.lastId(channel);
    }

    @Override
    public long[] lastIds(List<String> channels) {
      read();
      return delegate.lastIds(channels);
    }

    @Override
    public long lastGlobalId() {
      read();
      return super.lastGlobalId();
    }

    @Override
    public List<BackendMessage> backlog(String channel, long lastId) {
      read();
      return super.backlog(channel, lastId);
    }

    @Override
    public List<BackendMessage> globalBacklog(long lastGlobalId) {
      read();
      return super.globalBacklog(lastGlobalId);
    }
  }

  private final WatchingBackend backend = new WatchingBackend();
  private final MessageBus bus =
      MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
  private final AtomicInteger lookupsOnIoThread = new AtomicInteger();
  private final AtomicInteger lookups = new AtomicInteger();

  @AfterEach
  void close() {
    bus.close();
  }

  private Object lookUpUser() {
    lookups.incrementAndGet();
    if (onIoThread()) {
      lookupsOnIoThread.incrementAndGet();
    }
    return "u1";
  }

  private static boolean coreAdapter() {
    return ServerFixture.adapter() != MessageBusServer.Adapter.SERVLET;
  }

  private ServerFixture start(boolean nonBlockingLookups) {
    return new ServerFixture(
        bus,
        HttpTransportOptions.builder()
            .longPollingInterval(Duration.ofSeconds(60))
            .userIdFromRequest(req -> lookUpUser())
            .nonBlockingLookups(nonBlockingLookups)
            .build());
  }

  @Test
  void pollsTheWindowAnswers_runOnTheIoThread_storeReadsNever() throws Exception {
    try (ServerFixture f = start(true)) {
      // A first poll (-1: the channel's position) needs the store.
      List<java.util.Map<String, Object>> status = f.pollNow("c", "/a=-1");
      assertThat(status).hasSize(1);
      long first = f.bus.publish("/a", "one");
      f.awaitDispatched(first);

      // Behind by one message the window holds: answered at once.
      HttpResponse<String> behind =
          f.poll("/message-bus/c/poll", "/a=" + (first - 1) + "&__seq=2", DONT_CHUNK, "t");
      assertThat(behind.body()).contains("\"data\":\"one\"");

      // At the current position: held, then answered by the next message.
      CompletableFuture<HttpResponse<String>> held =
          f.pollAsync("/message-bus/c/poll", "/a=" + first + "&__seq=3", DONT_CHUNK, "t");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      long second = f.bus.publish("/a", "two");
      assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS).body())
          .contains("\"data\":\"two\"")
          .doesNotContain("\"one\"");
      f.awaitDispatched(second);

      // A channel this process has not seen: the store answers, off the I/O thread.
      f.bus.publish("/cold", "c1");
      HttpResponse<String> cold =
          f.poll("/message-bus/c/poll?dlp=t", "/cold=0&__seq=4", DONT_CHUNK, "t");
      assertThat(cold.body()).contains("\"data\":\"c1\"");

      assertThat(backend.reads.get()).isPositive();
      assertThat(backend.readsOnIoThread.get()).isZero();
      assertThat(lookups.get()).isGreaterThanOrEqualTo(4);
      if (coreAdapter()) {
        assertThat(lookupsOnIoThread.get()).isPositive();
      } else {
        assertThat(lookupsOnIoThread.get()).isZero();
      }
    }
  }

  @Test
  void lookupsNotDeclaredNonBlocking_neverRunOnTheIoThread() throws Exception {
    try (ServerFixture f = start(false)) {
      long first = f.bus.publish("/a", "one");
      f.awaitDispatched(first);

      HttpResponse<String> behind =
          f.poll("/message-bus/c/poll", "/a=" + (first - 1) + "&__seq=1", DONT_CHUNK, "t");
      CompletableFuture<HttpResponse<String>> held =
          f.pollAsync("/message-bus/c/poll", "/a=" + first + "&__seq=2", DONT_CHUNK, "t");
      await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 1);
      f.bus.publish("/a", "two");

      assertThat(behind.body()).contains("\"data\":\"one\"");
      assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS).body()).contains("\"data\":\"two\"");
      assertThat(lookups.get()).isGreaterThanOrEqualTo(2);
      assertThat(lookupsOnIoThread.get()).isZero();
      assertThat(backend.readsOnIoThread.get()).isZero();
    }
  }

  @Test
  void applicationHandlerBehindTheBus_runsOffTheIoThread() throws Exception {
    AtomicInteger appCalls = new AtomicInteger();
    AtomicInteger appOnIoThread = new AtomicInteger();
    Handler app =
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            appCalls.incrementAndGet();
            if (onIoThread()) {
              appOnIoThread.incrementAndGet();
            }
            if (!Request.getPathInContext(request).equals("/app")) {
              return false; // Jetty's 404
            }
            response.write(
                true, ByteBuffer.wrap("app".getBytes(StandardCharsets.US_ASCII)), callback);
            return true;
          }
        };
    MessageBusServer.Builder server =
        MessageBusServer.builder(bus)
            .port(0)
            .httpOptions(HttpTransportOptions.builder().build())
            .handler(app);
    assumeTrue(coreAdapter(), "the Servlet adapter takes no core handler (AdapterChoiceTest)");
    try (ServerFixture f = new ServerFixture(bus, server)) {
      HttpResponse<String> ok =
          f.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + "/app")).build());
      HttpResponse<String> missing =
          f.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + "/nothing"))
                  .build());
      HttpResponse<String> busPoll = f.poll("/message-bus/c/poll?dlp=t", "/a=0");

      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("app");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(busPoll.body()).isEqualTo("[]");
      assertThat(appCalls.get()).isEqualTo(2);
      assertThat(appOnIoThread.get()).isZero();
    }
  }
}
