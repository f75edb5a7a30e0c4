// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.http.WebSocketOptions;

/**
 * The WebSocket scenarios on {@link MessageBusServer}, which upgrades with Jetty's core WebSocket
 * API in front of either adapter (the suite runs once per adapter).
 */
class JettyCoreWebSocketTest extends WebSocketTest {

  @Override
  Served serve(MessageBus bus, HttpTransportOptions http, WebSocketOptions ws) {
    ServerFixture fixture =
        new ServerFixture(
            bus, MessageBusServer.builder(bus).port(0).httpOptions(http).webSocket(ws));
    return new Served(bus, fixture::port, fixture.server::webSockets, fixture::close);
  }

  @Test
  void webSocket_isOffByDefault_andRefusedWithServletLookups() throws Exception {
    MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    ServerFixture plain = new ServerFixture(bus, HttpTransportOptions.defaults());
    f =
        new Served(
            bus,
            plain::port,
            () -> {
              throw new AssertionError("no endpoint");
            },
            plain::close);
    assertThat(plain.server.webSockets()).isNull();
    // without the endpoint an upgrade is answered at once (a held poll would keep a client from
    // falling back); a POST to the path is still a poll of client "c1", as on the Ruby wire
    assertThat(rawUpgrade("/message-bus/c1/ws", null))
        .startsWith("HTTP/1.1 404")
        .contains("WebSocket is not enabled on this server");
    assertThat(plain.poll("/message-bus/c1/ws?dlp=t", "/x=-1").body()).contains("/__status");
    assertThatThrownBy(
            () ->
                MessageBusServer.builder(bus)
                    .httpOptions(HttpTransportOptions.builder().userIdLookup(r -> "u").build())
                    .webSocket(WebSocketOptions.defaults())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("userIdFromRequest");
  }
}
