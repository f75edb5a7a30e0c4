// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.http.WebSocketOptions;

/**
 * The WebSocket scenarios on {@link MessageBusFilter} mounted in a plain Jetty ee10 servlet context
 * with Jakarta WebSocket (as in any Servlet 6 container that offers it, e.g. Tomcat): the filter
 * upgrades through the container's {@code ServerContainer}, not through Jetty's own API.
 */
class JakartaWebSocketTest extends WebSocketTest {

  @BeforeAll
  static void oncePerBuild() {
    // the suite runs once per MessageBusServer adapter; this container uses neither
    assumeTrue(
        ServerFixture.adapter() == MessageBusServer.Adapter.AUTO,
        "runs in the default surefire execution only");
  }

  @Override
  Served serve(MessageBus bus, HttpTransportOptions http, WebSocketOptions ws) {
    return jetty(bus, new MessageBusFilter(bus, http, ws), true);
  }

  /** The filter on {@code /*} of a plain Jetty ee10 context, with or without Jakarta WebSocket. */
  private static Served jetty(MessageBus bus, MessageBusFilter filter, boolean jakarta) {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath("/");
    if (jakarta) {
      JakartaWebSocketServletContainerInitializer.configure(context, null);
    }
    FilterHolder holder = new FilterHolder(filter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return new Served(
        bus,
        connector::getLocalPort,
        () -> Objects.requireNonNull(filter.webSockets()),
        () -> {
          filter.close();
          try {
            server.stop();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          bus.close();
        });
  }

  @Test
  void lookupsWrittenForHttpServletRequest_runOnTheUpgradeRequest() throws Exception {
    // MessageBusServer's core upgrade cannot call them; the filter upgrades a servlet request
    start(
        HttpTransportOptions.builder()
            .userIdLookup(r -> r.getHeader("X-User"))
            .groupIdsLookup(r -> List.of(r.getServletContext().getContextPath().isEmpty() ? 7 : 8)),
        WebSocketOptions.builder());
    WsProbe alice = connect("ca", "X-User", "alice");
    WsProbe bob = connect("cb", "X-User", "bob");
    for (WsProbe p : List.of(alice, bob)) {
      p.send("{\"subscribe\":{\"/t\":-1}}");
      p.next();
    }
    f.bus().publish("/t", "for alice", PublishOptions.builder().userIds("alice").build());
    f.bus().publish("/t", "for group 7", PublishOptions.builder().groupIds(7).build());
    assertThat(alice.next()).extracting(m -> m.get("data")).containsExactly("for alice");
    assertThat(alice.next()).extracting(m -> m.get("data")).containsExactly("for group 7");
    assertThat(bob.next()).extracting(m -> m.get("data")).containsExactly("for group 7");
    assertThat(bob.texts).isEmpty();
  }

  @Test
  void withoutAServerContainer_anUpgradeIsAnswered501_andTheFilterStillServesPolls()
      throws Exception {
    MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    f =
        jetty(
            bus,
            new MessageBusFilter(bus, HttpTransportOptions.defaults(), WebSocketOptions.defaults()),
            false);
    assertThat(rawUpgrade("/message-bus/c1/ws", null))
        .startsWith("HTTP/1.1 501")
        .contains("WebSocket is not available in this container");
    assertThat(f.webSockets().connections()).isZero();
    bus.publish("/x", "hello");
    HttpResponse<String> poll =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + f.port() + "/message-bus/c1/poll?dlp=t"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("/x=0"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ServerFixture.messages(poll.body()))
        .extracting(m -> m.get("data"))
        .containsExactly("hello");
  }
}
