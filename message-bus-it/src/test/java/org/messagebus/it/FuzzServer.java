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
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * The server the fuzzers attack: a memory bus behind the real {@link MessageBusServer} on a free
 * port, with the debug broadcast route on, lookups that read request headers (as an application's
 * would: the user from {@code X-User}, groups from {@code X-Groups}, the site from the {@code Host}
 * header), a short long-polling interval so held polls do not slow the run, the server's log
 * captured in-process, and a {@link Bystander} polling throughout.
 */
final class FuzzServer implements AutoCloseable {

  /** How long a poll is held: short, so generated polls that are held cost little time. */
  static final Duration LONG_POLL = Duration.ofMillis(200);

  /** How long one generated exchange may take before the server counts as hung. */
  static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(10);

  final MessageBusServer.Adapter adapter;
  final LogCapture logs;
  final MessageBus bus;
  final MessageBusServer server;
  final Bystander bystander;
  private final List<String> published = new ArrayList<>();

  /**
   * A server on {@code adapter}. The identity lookups read the request through {@link
   * org.messagebus.http.HttpRequestView}, which both adapters serve (Servlet-typed lookups would
   * force the Servlet adapter).
   */
  FuzzServer(MessageBusServer.Adapter adapter) {
    this.adapter = adapter;
    this.logs = LogCapture.install();
    this.bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    this.server =
        MessageBusServer.builder(bus)
            .port(0)
            .adapter(adapter)
            .httpOptions(
                HttpTransportOptions.builder()
                    .allowBroadcast(true)
                    .longPollingInterval(LONG_POLL)
                    .userIdFromRequest(r -> r.header("X-User"))
                    .groupIdsFromRequest(
                        r ->
                            r.header("X-Groups") == null
                                ? null
                                : Arrays.asList(r.header("X-Groups").split(",")))
                    .siteIdFromRequest(r -> hostName(r.header("Host")))
                    .build())
            .build()
            .start();
    this.bystander = new Bystander(server.port());
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
    // the site lookup takes the Host header: the bystander's site is its host
    bus.publish(bystander.channel, data, PublishOptions.builder().siteId("127.0.0.1").build());
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
