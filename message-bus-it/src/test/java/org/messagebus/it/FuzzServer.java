// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.jetty.util.thread.Invocable;
import org.junit.jupiter.params.provider.Arguments;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.http.HttpObserver;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.servlet.ServerProbe;

/**
 * The server the fuzzers attack: a memory bus behind the real {@link MessageBusServer} on a free
 * port, with the debug broadcast route on, a short long-polling interval so held polls do not slow
 * the run, the server's log captured in-process, and a {@link Bystander} polling throughout. With
 * {@link Lookups#FROM_HEADERS} it has lookups that read request headers (as an application's would:
 * the user from {@code X-User}, groups from {@code X-Groups}, the site from the {@code Host}
 * header); with {@link Lookups#NONE}, none. The two make the Jetty core adapter run requests on
 * different threads (see {@link Lookups}); {@link #variants()} lists the servers the fuzzers
 * attack.
 */
final class FuzzServer implements AutoCloseable {

  /** How long a poll is held: short, so generated polls that are held cost little time. */
  static final Duration LONG_POLL = Duration.ofMillis(200);

  /** How long one generated exchange may take before the server counts as hung. */
  static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Whether the server has identity lookups. That decides, on the Jetty core adapter, which thread
   * runs a request (the Servlet adapter runs every request on a worker thread either way).
   */
  enum Lookups {
    /**
     * User, groups and site read from {@code X-User}, {@code X-Groups} and {@code Host}. Lookups
     * may block, so the Jetty core handler is a blocking one: Jetty runs every request on a worker
     * thread.
     */
    FROM_HEADERS("lookups"),
    /**
     * None, as in a deployment without identities. The Jetty core handler is non-blocking: Jetty
     * runs it on its I/O (selector) thread, which answers or holds there the polls it can and hands
     * the rest (broadcast, diagnostics, store reads, a body that has not all come) to a worker,
     * after reading what has come of a body declared up to 64 KiB ({@code JettyCoreExchange}'s
     * {@code dispatch} and {@code prefetchBody}). The identity headers the generators send reach no
     * lookup.
     */
    NONE("no lookups");

    private final String label;

    Lookups(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /**
   * The servers the fuzzers attack, as (adapter, lookups): each adapter with lookups, and the Jetty
   * core adapter without them too, the only one that runs requests differently without them.
   *
   * @return the arguments of a parameterized fuzz test
   */
  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of(MessageBusServer.Adapter.JETTY_CORE, Lookups.FROM_HEADERS),
        Arguments.of(MessageBusServer.Adapter.JETTY_CORE, Lookups.NONE),
        Arguments.of(MessageBusServer.Adapter.SERVLET, Lookups.FROM_HEADERS));
  }

  final MessageBusServer.Adapter adapter;
  final Lookups lookups;
  final LogCapture logs;
  final MessageBus bus;
  final MessageBusServer server;
  final Bystander bystander;
  private final List<String> published = new ArrayList<>();
  private final AtomicInteger pollsEnded = new AtomicInteger();
  private final AtomicInteger pollsEndedOnIoThread = new AtomicInteger();

  /**
   * A server on {@code adapter}. The identity lookups, if any, read the request through {@link
   * org.messagebus.http.HttpRequestView}, which both adapters serve (Servlet-typed lookups would
   * force the Servlet adapter).
   */
  FuzzServer(MessageBusServer.Adapter adapter, Lookups lookups) {
    this.adapter = adapter;
    this.lookups = lookups;
    this.logs = LogCapture.install();
    this.bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    HttpTransportOptions.Builder options =
        HttpTransportOptions.builder().allowBroadcast(true).longPollingInterval(LONG_POLL);
    if (lookups == Lookups.FROM_HEADERS) {
      options
          .userIdFromRequest(r -> r.header("X-User"))
          .groupIdsFromRequest(
              r ->
                  r.header("X-Groups") == null
                      ? null
                      : Arrays.asList(r.header("X-Groups").split(",")))
          .siteIdFromRequest(r -> hostName(r.header("Host")));
    }
    this.server =
        MessageBusServer.builder(bus)
            .port(0)
            .adapter(adapter)
            .httpOptions(options.build())
            .build()
            .start();
    // Counts the polls that ended (answered or refused) on Jetty's I/O thread: evidence that the
    // run went through it. The observer is called where the engine answers a poll.
    server
        .filter()
        .engine()
        .observe(
            new HttpObserver() {
              @Override
              public void pollEnded(PollMode mode, PollOutcome outcome) {
                pollsEnded.incrementAndGet();
                if (onIoThread()) {
                  pollsEndedOnIoThread.incrementAndGet();
                }
              }
            });
    this.bystander = new Bystander(server.port());
  }

  /**
   * Whether the caller runs inside a task that Jetty's selector thread runs itself
   * (produce-consume), i.e. on the I/O thread. Jetty does not tag that thread, so the stack tells
   * (as {@code IoThreadPollTest} of {@code message-bus-servlet} checks it).
   */
  private static boolean onIoThread() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames.anyMatch(
                    f ->
                        f.getClassName().endsWith(".AdaptiveExecutionStrategy")
                            && f.getMethodName().equals("pcRunTask")));
  }

  /**
   * Checks that Jetty runs the bus's handler as this variant means to: on its I/O thread (a
   * non-blocking handler) with the Jetty core adapter and no lookups, else on a worker thread (a
   * blocking one).
   */
  void assertHandlerThread() {
    Invocable.InvocationType expected =
        adapter == MessageBusServer.Adapter.JETTY_CORE && lookups == Lookups.NONE
            ? Invocable.InvocationType.NON_BLOCKING
            : Invocable.InvocationType.BLOCKING;
    assertThat(ServerProbe.invocationType(server))
        .as("how Jetty runs the handler of %s with %s", adapter, lookups)
        .isEqualTo(expected);
  }

  /** The polls that ended so far, and of them those that ended on Jetty's I/O thread. */
  String pollsEndedOnIoThread() {
    return pollsEndedOnIoThread.get() + " of " + pollsEnded.get();
  }

  /** The host of a {@code Host} header without its port (the bystander's site is its host). */
  private static String hostName(String host) {
    if (host == null) {
      return null;
    }
    int end = host.startsWith("[") ? host.indexOf(']') + 1 : host.lastIndexOf(':');
    return end > 0 ? host.substring(0, end) : host;
  }

  int port() {
    return server.port();
  }

  /** Publishes the next message for the bystander. */
  void publishToBystander() {
    String data = "b" + published.size();
    published.add(data);
    if (lookups == Lookups.FROM_HEADERS) {
      // the site lookup takes the Host header: the bystander's site is its host
      bus.publish(bystander.channel, data, PublishOptions.builder().siteId("127.0.0.1").build());
    } else {
      // no site lookup, so the bystander has no site: a message for a site would not reach it
      bus.publish(bystander.channel, data);
    }
  }

  /**
   * Checks that the server still answers an ordinary poll: a form poll subscribing to a new channel
   * from -1 gets 200 and the {@code /__status} of that channel at once.
   */
  void assertAnswersNormalPoll() throws IOException {
    String channel = "/alive/" + UUID.randomUUID();
    String body = channel + "=-1&__seq=1";
    String request =
        "POST /message-bus/alive"
            + UUID.randomUUID().toString().replace("-", "")
            + "/poll?dlp=t HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + body.length()
            + "\r\nConnection: close\r\n\r\n"
            + body;
    RawHttp.Exchange ex =
        RawHttp.exchange(port(), request.getBytes(StandardCharsets.UTF_8), false, EXCHANGE_TIMEOUT);
    assertThat(ex.responses()).as("answers to a normal poll").hasSize(1);
    RawHttp.Response r = ex.responses().get(0);
    assertThat(r.status()).as("status of a normal poll").isEqualTo(200);
    assertThat(r.bodyText()).contains("\"/__status\"").contains(channel);
  }

  /**
   * Checks that the bystander got every message published to it exactly once, in order, and that
   * every one of its polls was answered 200.
   */
  void assertBystanderUnaffected() {
    publishToBystander();
    List<String> expected = List.copyOf(published);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> bystander.received().size() >= expected.size());
    assertThat(bystander.failures()).as("failed polls of the bystander").isEmpty();
    assertThat(bystander.received()).as("messages the bystander received").isEqualTo(expected);
  }

  @Override
  public void close() {
    bystander.close();
    server.close();
    bus.close();
    logs.close();
  }
}
