// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.servlet.DispatcherType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.messagebus.MessageBus;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusFilter;
import org.messagebus.servlet.MessageBusServer;

/**
 * {@link MessageBusClient.Transport#WEBSOCKET} falls back to long polling when the server has no
 * WebSocket there, and keeps trying WebSocket after a transient failure: against our real server
 * (with and without its WebSocket endpoint) and, for every refusal status and close code, against a
 * scripted server on a socket that answers the upgrade as told and records what the client asks
 * next.
 */
class WebSocketFallbackTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final List<MessageBusClient> clients = new ArrayList<>();
  private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private MessageBusServer server;
  private ScriptedServer scripted;

  @AfterEach
  void stop() throws IOException {
    clients.forEach(MessageBusClient::close);
    if (server != null) {
      server.close();
    }
    if (scripted != null) {
      scripted.close();
    }
    bus.close();
  }

  private MessageBusServer startServer(int port, boolean webSocket) {
    MessageBusServer.Builder b =
        MessageBusServer.builder(bus)
            .port(port)
            .httpOptions(
                HttpTransportOptions.builder()
                    .extraResponseHeadersFromRequest(
                        r -> {
                          paths.add(r.path());
                          return Map.of();
                        })
                    .build());
    if (webSocket) {
      b.webSocket(WebSocketOptions.defaults());
    }
    return b.build().start();
  }

  private MessageBusClient client(int port) {
    MessageBusClient c =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + port + "/"))
            .transport(MessageBusClient.Transport.WEBSOCKET)
            .minPollInterval(Duration.ofMillis(20))
            .maxPollInterval(Duration.ofMillis(200))
            .minRetryAfter(Duration.ofMillis(20))
            .errorListener(
                new ClientErrorListener() {
                  @Override
                  public void onPollFailed(Throwable error, int consecutive, Duration retryIn) {
                    failures.add(error);
                  }
                })
            .build();
    clients.add(c);
    return c;
  }

  private static ClientMessage next(BlockingQueue<ClientMessage> q) throws InterruptedException {
    ClientMessage m = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(m).as("a message within " + WAIT).isNotNull();
    return m;
  }

  // ---------------------------------------------------------------- our real server

  @Test
  void serverWithoutTheEndpoint_theClientLongPollsInstead_andSaysItFellBack() throws Exception {
    server = startServer(0, false);
    MessageBusClient c = client(server.port());
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/a", -1, got::add);
    await().atMost(WAIT).until(() -> server.filter().heldPolls() == 1);

    bus.publish("/a", "polled");

    assertThat(next(got).data()).isEqualTo("polled");
    assertThat(c.fellBackToPolling()).isTrue();
    assertThat(failures.poll())
        .hasMessageContaining("upgrade answered with HTTP 404")
        .hasMessageEndingWith("polling from now on");
    assertThat(paths.get(0)).endsWith("/ws");
    assertThat(paths.subList(1, paths.size())).isNotEmpty().allMatch(p -> p.endsWith("/poll"));
  }

  @Test
  void filterInAContainerWithoutWebSocket_answers501_theClientLongPollsInstead() throws Exception {
    MessageBusFilter filter =
        new MessageBusFilter(bus, HttpTransportOptions.defaults(), WebSocketOptions.defaults());
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath("/");
    FilterHolder holder = new FilterHolder(filter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    jetty.setHandler(context);
    jetty.start();
    try {
      MessageBusClient c = client(connector.getLocalPort());
      BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
      c.subscribe("/a", -1, got::add);
      await().atMost(WAIT).until(() -> filter.heldPolls() == 1);

      bus.publish("/a", "polled");

      assertThat(next(got).data()).isEqualTo("polled");
      assertThat(c.fellBackToPolling()).isTrue();
      assertThat(failures.poll()).hasMessageContaining("upgrade answered with HTTP 501");
      assertThat(filter.webSockets().connections()).isZero();
    } finally {
      clients.forEach(MessageBusClient::close);
      filter.close();
      jetty.stop();
    }
  }

  @Test
  void serverDown_isATransientFailure_theClientKeepsTryingWebSocket_andResetsItsBackoff()
      throws Exception {
    server = startServer(0, true);
    int port = server.port();
    server.close();
    MessageBusClient c = client(port);
    BlockingQueue<ClientMessage> got = new LinkedBlockingQueue<>();
    c.subscribe("/a", -1, got::add);
    await().atMost(WAIT).until(() -> c.consecutiveFailures() >= 2); // connection refused

    server = startServer(port, true);
    await().atMost(WAIT).until(() -> server.webSockets().connections() == 1);
    await().atMost(WAIT).until(() -> c.consecutiveFailures() == 0); // the first frame: a status
    bus.publish("/a", "pushed");

    assertThat(next(got).data()).isEqualTo("pushed");
    assertThat(c.fellBackToPolling()).isFalse();
    assertThat(paths).noneMatch(p -> p.endsWith("/poll"));
    assertThat(server.filter().heldPolls()).isZero();
  }

  // ---------------------------------------------------------------- a scripted server

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {404, 405, 426, 501, 200})
  void upgradeRefusedAsNotHere_theNextExchangeIsAPoll(int status) throws Exception {
    scripted = new ScriptedServer("status " + status);
    MessageBusClient c = client(scripted.port());
    c.subscribe("/a", -1, m -> {});

    assertThat(scripted.nextRequest()).isEqualTo("GET /ws");
    assertThat(scripted.nextRequest()).isEqualTo("POST /poll");
    assertThat(c.fellBackToPolling()).isTrue();
    assertThat(failures.poll()).hasMessageEndingWith("polling from now on");
  }

  @ParameterizedTest(name = "HTTP {0}")
  @ValueSource(ints = {403, 429, 500, 503})
  void upgradeRefusedTransiently_orByOrigin_theNextExchangeIsWebSocketAgain(int status)
      throws Exception {
    scripted = new ScriptedServer("status " + status);
    MessageBusClient c = client(scripted.port());
    c.subscribe("/a", -1, m -> {});

    assertThat(scripted.nextRequest()).isEqualTo("GET /ws");
    assertThat(scripted.nextRequest()).isEqualTo("GET /ws");
    assertThat(c.fellBackToPolling()).isFalse();
    Throwable first = failures.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (status == 429) {
      assertThat(first).isInstanceOf(RetryAfterException.class);
    } else {
      assertThat(first).hasMessage("WebSocket upgrade refused: HTTP " + status);
    }
  }

  @ParameterizedTest(name = "close {0}")
  @ValueSource(ints = {4400, 1003, 1009})
  void socketClosedWithAGiveUpCode_theNextExchangeIsAPoll(int code) throws Exception {
    scripted = new ScriptedServer("close " + code);
    MessageBusClient c = client(scripted.port());
    c.subscribe("/a", -1, m -> {});

    assertThat(scripted.nextRequest()).isEqualTo("GET /ws");
    assertThat(scripted.nextRequest()).isEqualTo("POST /poll");
    assertThat(c.fellBackToPolling()).isTrue();
    assertThat(failures.poll())
        .hasMessageStartingWith("WebSocket closed by the server: " + code)
        .hasMessageEndingWith("polling from now on");
  }

  @ParameterizedTest(name = "close {0}")
  @ValueSource(ints = {1001, 1011, 4408, 4429, 1006})
  void socketClosedWithAResumeCode_orDropped_theNextExchangeIsWebSocketAgain(int code)
      throws Exception {
    scripted = new ScriptedServer("close " + code);
    MessageBusClient c = client(scripted.port());
    c.subscribe("/a", -1, m -> {});

    assertThat(scripted.nextRequest()).isEqualTo("GET /ws");
    assertThat(scripted.nextRequest()).isEqualTo("GET /ws");
    assertThat(c.fellBackToPolling()).isFalse();
  }

  @Test
  void socketsThatSendNothingReadable_doNotResetTheBackoff() throws Exception {
    scripted = new ScriptedServer("garbage 0");
    MessageBusClient c = client(scripted.port());
    c.subscribe("/a", -1, m -> {});

    await().atMost(WAIT).until(() -> c.consecutiveFailures() >= 3);
    assertThat(failures.poll()).hasMessageContaining("not valid JSON");
    assertThat(c.fellBackToPolling()).isFalse();
  }

  /**
   * A one-behaviour server on a socket: every {@code GET …/ws} is answered as the script says
   * ({@code "status N"}: that status and no body; {@code "close N"}: the upgrade is accepted, then
   * the socket is closed with code N, or dropped without a close frame for 1006; {@code "garbage
   * 0"}: the upgrade is accepted, then a text frame that is not JSON is sent); every other request
   * is read and left unanswered (a held poll). Each request's method and last path segment is
   * recorded in order.
   */
  private static final class ScriptedServer implements AutoCloseable {
    private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket listener;
    private final String script;
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    ScriptedServer(String script) throws IOException {
      this.script = script;
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.acceptor = new Thread(this::acceptLoop, "scripted-server");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    String nextRequest() throws InterruptedException {
      String r = requests.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(r).as("a request within " + WAIT).isNotNull();
      return r;
    }

    private void acceptLoop() {
      while (!listener.isClosed()) {
        try {
          Socket s = listener.accept();
          sockets.add(s);
          Thread t = new Thread(() -> serve(s), "scripted-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        String path = requestLine[1];
        requests.add(requestLine[0] + " " + path.substring(path.lastIndexOf('/')));
        if (!path.endsWith("/ws")) {
          in.transferTo(OutputStream.nullOutputStream()); // held until the client goes
          return;
        }
        String[] step = script.split(" ");
        int n = Integer.parseInt(step[1]);
        if (step[0].equals("status")) {
          out.write(
              ("HTTP/1.1 " + n + " Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          return;
        }
        String key = "";
        for (String line : lines) {
          if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
            key = line.substring(line.indexOf(':') + 1).trim();
          }
        }
        String accept =
            Base64.getEncoder()
                .encodeToString(
                    MessageDigest.getInstance("SHA-1")
                        .digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII)));
        out.write(
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: "
                    + accept
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        if (step[0].equals("garbage")) {
          out.write(new byte[] {(byte) 0x81, 4, 'n', 'o', 'p', 'e'}); // a text frame, not JSON
        } else if (n != 1006) {
          out.write(new byte[] {(byte) 0x88, 2, (byte) (n >> 8), (byte) n});
        }
        out.flush();
        if (n != 1006) {
          in.transferTo(OutputStream.nullOutputStream()); // until the client aborts
        }
      } catch (IOException | java.security.NoSuchAlgorithmException gone) {
        // the client went away
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      byte[] end = {'\r', '\n', '\r', '\n'};
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed before the end of the head");
        }
        head.write(b);
        matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
