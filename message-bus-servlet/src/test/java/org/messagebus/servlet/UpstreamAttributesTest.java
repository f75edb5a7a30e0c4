// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;

/**
 * The filter mounted by hand in a Servlet context behind an application filter that forces the
 * channels through the {@code message_bus.channels} and {@code message_bus.seq} request attributes.
 */
class UpstreamAttributesTest {

  @Test
  void forcedChannels_winOverTheBody() throws Exception {
    MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    MessageBusFilter busFilter = new MessageBusFilter(bus);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath("/app");
    Filter upstream =
        (req, resp, chain) -> {
          Map<String, Object> forced = new LinkedHashMap<>();
          forced.put("/forced", "0");
          req.setAttribute("message_bus.channels", forced);
          req.setAttribute("message_bus.seq", 3);
          chain.doFilter(req, resp);
        };
    context.addFilter(new FilterHolder(upstream), "/*", EnumSet.of(DispatcherType.REQUEST));
    FilterHolder holder = new FilterHolder(busFilter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HttpServlet() {}), "/");
    server.setHandler(context);
    server.start();
    try {
      bus.publish("/forced", "yes");
      bus.publish("/body", "no");

      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + connector.getLocalPort()
                                  + "/app/message-bus/abc/poll?dlp=t"))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(HttpRequest.BodyPublishers.ofString("/body=0"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(ServerFixture.messages(r.body()))
          .extracting(m -> m.get("data"))
          .containsExactly("yes");
    } finally {
      busFilter.close();
      server.stop();
      bus.close();
    }
  }
}
