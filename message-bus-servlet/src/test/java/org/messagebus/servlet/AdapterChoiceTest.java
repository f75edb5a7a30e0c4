// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.Filter;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;

/** Which adapter of the engine {@link MessageBusServer} builds. */
class AdapterChoiceTest {

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();

  @AfterEach
  void close() {
    bus.close();
  }

  private MessageBusServer.Builder builder() {
    return MessageBusServer.builder(bus).port(0);
  }

  @Test
  void auto_isTheJettyCoreHandler_whenNothingNeedsAServletContainer() {
    try (MessageBusServer s = builder().build()) {
      assertThat(s.adapter()).isEqualTo(MessageBusServer.Adapter.JETTY_CORE);
      assertThat(s.filter().isListening()).isTrue();
    }
  }

  @Test
  void auto_isTheServletFilter_withAnApplicationFilter_orAServletLookup() {
    Filter pass = (req, resp, chain) -> chain.doFilter(req, resp);
    try (MessageBusServer s = builder().filter(pass).build()) {
      assertThat(s.adapter()).isEqualTo(MessageBusServer.Adapter.SERVLET);
    }
    HttpTransportOptions lookup =
        HttpTransportOptions.builder().userIdLookup(req -> req.getHeader("X-User")).build();
    try (MessageBusServer s = builder().httpOptions(lookup).build()) {
      assertThat(s.adapter()).isEqualTo(MessageBusServer.Adapter.SERVLET);
    }
  }

  @Test
  void jettyCore_withAServletFeature_isRefusedAtBuild() {
    HttpTransportOptions lookup = HttpTransportOptions.builder().isAdminLookup(req -> true).build();
    assertThatThrownBy(
            () ->
                builder().adapter(MessageBusServer.Adapter.JETTY_CORE).httpOptions(lookup).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JETTY_CORE");
  }

  @Test
  void applicationHandler_isMountedBehindTheBus_withTheCoreAdapter() throws Exception {
    org.eclipse.jetty.server.Handler app =
        new org.eclipse.jetty.server.Handler.Abstract() {
          @Override
          public boolean handle(
              org.eclipse.jetty.server.Request request,
              org.eclipse.jetty.server.Response response,
              org.eclipse.jetty.util.Callback callback) {
            response.write(
                true,
                java.nio.ByteBuffer.wrap(
                    "app".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                callback);
            return true;
          }
        };
    try (MessageBusServer s = builder().handler(app).build().start()) {
      assertThat(s.adapter()).isEqualTo(MessageBusServer.Adapter.JETTY_CORE);
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpResponse<String> other =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + s.port() + "/elsewhere"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(other.body()).isEqualTo("app");
      java.net.http.HttpResponse<String> bus =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(
                          "http://127.0.0.1:" + s.port() + "/message-bus/c/poll?dlp=t"))
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString("/a=0"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(bus.body()).isEqualTo("[]");
    }
    assertThatThrownBy(
            () -> builder().adapter(MessageBusServer.Adapter.SERVLET).handler(app).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void servlet_canBeForced() {
    try (MessageBusServer s = builder().adapter(MessageBusServer.Adapter.SERVLET).build()) {
      assertThat(s.adapter()).isEqualTo(MessageBusServer.Adapter.SERVLET);
    }
  }
}
