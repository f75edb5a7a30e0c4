// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;

/**
 * The filter mounted by hand behind an application filter (async supported) that looks at the
 * request once the chain returns, as logging, metrics or MDC filters do. A poll or broadcast whose
 * body came whole with its request and that is answered at once is answered within the chain: the
 * filter in front sees a finished, synchronous exchange with its status, not an async request. (The
 * body used to be read with a {@code ReadListener} after {@code startAsync}, so every such exchange
 * went async.) A held poll still goes async.
 */
class WholeBodyInChainTest {

  private static final String FORM = "application/x-www-form-urlencoded";

  /** What the filter in front saw after the chain returned: async started, and the status. */
  private record Seen(boolean async, int status) {}

  private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  private MessageBus bus;
  private MessageBusFilter busFilter;
  private Server server;
  private ServerConnector connector;

  @BeforeEach
  void start() throws Exception {
    bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    busFilter =
        new MessageBusFilter(
            bus,
            HttpTransportOptions.builder()
                .allowBroadcast(true)
                .longPollingInterval(Duration.ofSeconds(1))
                .build());
    server = new Server();
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    Filter inFront =
        (req, resp, chain) -> {
          chain.doFilter(req, resp);
          seen.add(new Seen(req.isAsyncStarted(), ((HttpServletResponse) resp).getStatus()));
        };
    FilterHolder front = new FilterHolder(inFront);
    front.setAsyncSupported(true);
    context.addFilter(front, "/*", EnumSet.of(DispatcherType.REQUEST));
    FilterHolder holder = new FilterHolder(busFilter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HttpServlet() {}), "/");
    server.setHandler(context);
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    busFilter.close();
    server.stop();
    bus.close();
  }

  /** The response's status and body, dechunked. */
  private record Reply(int status, String body) {}

  /**
   * Sends the whole request (head and body) in one write on a fresh connection, so the body is
   * there when the head is parsed: the case this test is about. (A client that writes the head and
   * the body separately may leave the body in flight, and then the filter rightly goes async.)
   */
  private Reply post(String path, String body) throws Exception {
    try (RawConnection c = RawConnection.open(connector.getLocalPort())) {
      String raw =
          c.send(RawConnection.post(path, FORM, body, "Connection: close"))
              .awaitClosed(Duration.ofSeconds(15));
      int headEnd = raw.indexOf("\r\n\r\n");
      assertThat(headEnd).as("a complete response head in %s", raw).isPositive();
      String head = raw.substring(0, headEnd);
      String rest = raw.substring(headEnd + 4);
      int status = Integer.parseInt(head.substring(9, 12));
      return new Reply(
          status,
          head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")
              ? dechunk(rest)
              : rest);
    }
  }

  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }

  private Seen seen() throws InterruptedException {
    Seen s = seen.poll(15, TimeUnit.SECONDS);
    assertThat(s).as("the filter in front saw the chain return").isNotNull();
    return s;
  }

  @Test
  void pollAnsweredAtOnce_isAnsweredWithinTheChain() throws Exception {
    long id = bus.publish("/news", "hello");

    Reply r = post("/message-bus/c1/poll?dlp=t", "/news=" + (id - 1));

    assertThat(r.status()).isEqualTo(200);
    assertThat(ServerFixture.messages(r.body()))
        .extracting(m -> m.get("data"))
        .containsExactly("hello");
    assertThat(seen()).isEqualTo(new Seen(false, 200));
  }

  @Test
  void broadcast_isAnsweredWithinTheChain() throws Exception {
    Reply r = post("/message-bus/broadcast", "channel=%2Fnews&data=hi");

    assertThat(r.status()).isEqualTo(200);
    assertThat(bus.backlog("/news", 0)).extracting(m -> m.data()).containsExactly("hi");
    assertThat(seen()).isEqualTo(new Seen(false, 200));
  }

  @Test
  void heldPoll_goesAsync() throws Exception {
    long id = bus.publish("/news", "old");

    Reply r = post("/message-bus/c2/poll", "/news=" + id);

    assertThat(seen().async()).as("held: async started").isTrue();
    assertThat(r.status()).isEqualTo(200);
  }
}
