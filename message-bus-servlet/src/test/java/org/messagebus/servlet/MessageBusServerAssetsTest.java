// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;

/**
 * {@link MessageBusServer} serves the JavaScript client from the class path at {@code
 * /message-bus-assets/} (here a stand-in file from the test resources), and runs application
 * filters in front of the bus filter.
 */
class MessageBusServerAssetsTest {

  private static HttpResponse<String> get(ServerFixture f, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(f.uri(path)).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return f.send(b.build());
  }

  @Test
  void clientScript_isServedWithJavaScriptTypeAndETag() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      HttpResponse<String> r = get(f, "/message-bus-assets/message-bus.js");

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
      assertThat(r.body()).startsWith("// a stand-in for message-bus-js").endsWith("✓\n");
      String etag = r.headers().firstValue("etag").orElseThrow();

      HttpResponse<String> again =
          get(f, "/message-bus-assets/message-bus.js", "If-None-Match", etag);
      assertThat(again.statusCode()).isEqualTo(304);
      assertThat(again.body()).isEmpty();
    }
  }

  @Test
  void onlyListedNames_areServed() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      assertThat(get(f, "/message-bus-assets/message-bus.mjs").statusCode())
          .as("listed but absent from the class path")
          .isEqualTo(404);
      assertThat(get(f, "/message-bus-assets/simplelogger.properties").statusCode()).isEqualTo(404);
      assertThat(get(f, "/message-bus-assets/%2E%2E/simplelogger.properties").statusCode())
          .isIn(400, 404);
      assertThat(get(f, "/message-bus-assets/").statusCode()).isEqualTo(404);
      assertThat(
              f.send(
                      HttpRequest.newBuilder(f.uri("/message-bus-assets/message-bus.js"))
                          .POST(HttpRequest.BodyPublishers.noBody())
                          .build())
                  .statusCode())
          .isEqualTo(405);
    }
  }

  @Test
  void assetPath_doesNotCollideWithClientIdRouting() throws Exception {
    try (ServerFixture f = ServerFixture.start(HttpTransportOptions.builder())) {
      f.bus.publish("/foo", "hello");

      assertThat(
              ServerFixture.messages(
                  f.poll("/message-bus/message-bus-assets/poll?dlp=t", "/foo=0").body()))
          .singleElement()
          .satisfies(m -> assertThat(m.get("data")).isEqualTo("hello"));
      assertThat(get(f, "/message-bus-assets/message-bus.js").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void applicationFilters_runInFrontOfTheBusFilter() throws Exception {
    Filter limiter =
        (request, response, chain) -> {
          if (((HttpServletRequest) request).getHeader("X-Too-Many") != null) {
            HttpServletResponse resp = (HttpServletResponse) response;
            resp.setStatus(429);
            resp.setHeader("Retry-After", "7");
            return;
          }
          chain.doFilter(request, response);
        };
    MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    try (bus;
        MessageBusServer server =
            MessageBusServer.builder(bus).port(0).filter(limiter).build().start()) {
      HttpClient http = HttpClient.newHttpClient();
      URI poll = URI.create("http://127.0.0.1:" + server.port() + "/message-bus/abc/poll?dlp=t");

      HttpResponse<String> limited =
          http.send(
              HttpRequest.newBuilder(poll)
                  .header("X-Too-Many", "1")
                  .POST(HttpRequest.BodyPublishers.ofString("/foo=0"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> normal =
          http.send(
              HttpRequest.newBuilder(poll)
                  .POST(HttpRequest.BodyPublishers.ofString("/foo=0"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("retry-after")).hasValue("7");
      assertThat(normal.statusCode()).isEqualTo(200);
      assertThat(normal.body()).isEqualTo("[]");
    }
  }
}
