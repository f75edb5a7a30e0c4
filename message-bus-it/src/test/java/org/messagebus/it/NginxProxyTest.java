// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.testkit.Services;

/**
 * The server behind a real reverse proxy, Debian's {@code nginx} (installed by {@code .ci/run}), in
 * three configurations: nginx's defaults (HTTP/1.0 to the upstream, buffering on), the snippet the
 * README documents ({@code proxy_http_version 1.1}), and that snippet with the server's {@code
 * X-Accel-Buffering: no} ignored, the control that shows the header is what keeps a stream prompt.
 *
 * <p>Each exchange asks for a message already in the backlog, so the server answers it at once — as
 * a whole JSON reply for a long poll, as the first chunk of a stream that the server then holds
 * open for {@link #HOLD}. A proxy that delivers promptly hands the message over long before the
 * hold ends; a buffering proxy only when the server ends the response. The same for the opt-in
 * transports: a Server-Sent Events stream (which the server ends after {@link #HOLD}) and a
 * WebSocket (whose upgrade the proxy must pass through).
 */
class NginxProxyTest {

  /** How long the server holds a stream open after its first chunk. */
  private static final Duration HOLD = Duration.ofSeconds(6);

  private static MessageBus bus;
  private static MessageBusServer server;
  private static Path dir;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    Services.require(
        Files.isExecutable(Path.of("/usr/sbin/nginx")),
        "nginx is not installed (Debian package nginx; .ci/run installs it)");
    bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    server =
        MessageBusServer.builder(bus)
            .port(0)
            .httpOptions(
                HttpTransportOptions.builder()
                    .longPollingInterval(HOLD)
                    .sseMaxDuration(HOLD)
                    .sseMinDuration(HOLD) // each stream exactly HOLD: the controls time it
                    .build())
            .webSocket(WebSocketOptions.defaults())
            .build()
            .start();
    dir = Files.createTempDirectory("mb-nginx");
    // the first exchanges of a fresh JVM are slow: warm up directly, so timings compare the proxies
    for (int i = 0; i < 20; i++) {
      exchange(server.port(), true);
      exchange(server.port(), false);
    }
    for (int i = 0; i < 5; i++) {
      sse(server.port());
      webSocket(server.port());
    }
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (bus != null) {
      bus.close();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void defaults_longPollAndServerSentEventsDeliverAtOnce_aStreamIsALongPoll_noWebSocket()
      throws Exception {
    try (Nginx nginx = Nginx.start(dir.resolve("defaults"), server.port(), "")) {
      Exchange poll = exchange(nginx.port, true);
      assertThat(poll.contentType).startsWith("application/json");
      assertThat(poll.promptly()).as("long poll via nginx defaults: %s", poll).isTrue();

      // HTTP/1.0 to the upstream cannot carry chunks: the server answers the stream as a long poll
      Exchange stream = exchange(nginx.port, false);
      assertThat(stream.contentType).startsWith("application/json");
      assertThat(stream.promptly()).as("stream via nginx defaults: %s", stream).isTrue();

      // Server-Sent Events need no chunks: over HTTP/1.0 the server streams until it closes, and
      // X-Accel-Buffering: no turns nginx's buffering off for the response
      Exchange events = sse(nginx.port);
      assertThat(events.contentType).startsWith("text/event-stream");
      assertThat(events.promptly())
          .as("server-sent events via nginx defaults: %s", events)
          .isTrue();

      // nginx drops the hop-by-hop Upgrade/Connection headers: the server never sees an upgrade,
      // answers the GET at once with 426 (not 101, and not a held poll), and the client's
      // handshake fails without waiting
      SocketResult socket = webSocket(nginx.port);
      assertThat(socket.refusedWith())
          .as("WebSocket via nginx defaults: %s", socket)
          .isEqualTo(426);
    }
  }

  @Test
  void documentedSnippet_streamsServerSentEventsAndWebSocketPromptly() throws Exception {
    try (Nginx nginx = Nginx.start(dir.resolve("snippet"), server.port(), Nginx.SNIPPET)) {
      Exchange poll = exchange(nginx.port, true);
      assertThat(poll.promptly()).as("long poll via the snippet: %s", poll).isTrue();

      Exchange stream = exchange(nginx.port, false);
      assertThat(stream.contentType).startsWith("text/plain");
      assertThat(stream.promptly()).as("stream via the snippet: %s", stream).isTrue();

      Exchange events = sse(nginx.port);
      assertThat(events.contentType).startsWith("text/event-stream");
      assertThat(events.promptly()).as("server-sent events via the snippet: %s", events).isTrue();

      SocketResult socket = webSocket(nginx.port);
      assertThat(socket.refusedWith()).as("WebSocket via the snippet: %s", socket).isNull();
      assertThat(socket.exchange().promptly()).as("WebSocket via the snippet: %s", socket).isTrue();
    }
  }

  @Test
  void documentedSnippetWithGzip_streamsPromptly() throws Exception {
    try (Nginx nginx = Nginx.start(dir.resolve("gzip"), server.port(), Nginx.SNIPPET + GZIP)) {
      Exchange stream = exchange(nginx.port, false, true);
      assertThat(stream.contentType).startsWith("text/plain");
      assertThat(stream.promptly()).as("gzipped stream via the snippet: %s", stream).isTrue();
    }
  }

  @Test
  void withXAccelBufferingIgnored_gzipHoldsTheStreamUntilItEnds() throws Exception {
    String ignoring = Nginx.SNIPPET + GZIP + "      proxy_ignore_headers X-Accel-Buffering;\n";
    try (Nginx nginx = Nginx.start(dir.resolve("ignoring"), server.port(), ignoring)) {
      Exchange stream = exchange(nginx.port, false, true);
      assertThat(stream.contentType).startsWith("text/plain");
      // the server wrote the message at once; nginx compressed it into a buffer that it only
      // flushed when the server ended the stream
      assertThat(stream.firstMessageAfter)
          .as("stream, header ignored: %s", stream)
          .isGreaterThan(HOLD);
    }
  }

  /**
   * Publishes a message on a new channel and opens a Server-Sent Events stream from before it
   * through the proxy; returns when the message arrived (the stream is then dropped).
   */
  private static Exchange sse(int port) throws Exception {
    String channel = "/proxy/" + UUID.randomUUID();
    String data = "e-" + UUID.randomUUID();
    bus.publish(channel, data);
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + port
                        + "/message-bus/"
                        + UUID.randomUUID()
                        + "/sse?"
                        + URLEncoder.encode(channel, StandardCharsets.UTF_8)
                        + "=0"))
            .timeout(HOLD.multipliedBy(3))
            .header("Accept", "text/event-stream")
            .GET()
            .build();
    long start = System.nanoTime();
    HttpResponse<InputStream> response =
        HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    StringBuilder body = new StringBuilder();
    Duration firstMessage = null;
    try (InputStream in = response.body()) {
      byte[] buffer = new byte[8192];
      for (int n; firstMessage == null && (n = in.read(buffer)) >= 0; ) {
        body.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        if (body.indexOf(data) >= 0) {
          firstMessage = Duration.ofNanos(System.nanoTime() - start);
        }
      }
    }
    assertThat(firstMessage).as("the message in %s", body).isNotNull();
    return new Exchange(contentType, firstMessage);
  }

  /**
   * Publishes a message on a new channel, opens a WebSocket through the proxy and subscribes from
   * before it; returns when the message arrived, or the refused upgrade's status.
   */
  private static SocketResult webSocket(int port) throws Exception {
    String channel = "/proxy/" + UUID.randomUUID();
    String data = "w-" + UUID.randomUUID();
    bus.publish(channel, data);
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence part, boolean last) {
            text.append(part);
            if (last) {
              frames.add(text.toString());
              text.setLength(0);
            }
            ws.request(1);
            return null;
          }
        };
    long start = System.nanoTime();
    WebSocket ws;
    try {
      ws =
          HTTP.newWebSocketBuilder()
              // over nginx defaults the server sees a plain GET, a poll that it holds for HOLD
              .connectTimeout(HOLD.multipliedBy(2))
              .buildAsync(
                  URI.create(
                      "ws://127.0.0.1:" + port + "/message-bus/" + UUID.randomUUID() + "/ws"),
                  listener)
              .get(HOLD.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return new SocketResult(refused.getResponse().statusCode(), null);
      }
      throw e;
    }
    try {
      ws.sendText("{\"subscribe\":{\"" + channel + "\":0}}", true)
          .get(HOLD.toMillis(), TimeUnit.MILLISECONDS);
      long deadline = System.nanoTime() + HOLD.multipliedBy(3).toNanos();
      for (String frame;
          (frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null; ) {
        if (frame.contains("\"" + data + "\"")) {
          return new SocketResult(
              null, new Exchange("websocket", Duration.ofNanos(System.nanoTime() - start)));
        }
      }
      throw new AssertionError("no frame with " + data + " within " + HOLD.multipliedBy(3));
    } finally {
      ws.abort();
    }
  }

  /** A WebSocket attempt: the status of a refused upgrade, or the exchange of an admitted one. */
  private record SocketResult(Integer refusedWith, Exchange exchange) {}

  @Test
  void defaultsWithXAccelBufferingIgnored_holdsServerSentEventsUntilTheStreamEnds()
      throws Exception {
    String ignoring = "      proxy_ignore_headers X-Accel-Buffering;\n";
    try (Nginx nginx = Nginx.start(dir.resolve("defaults-ignoring"), server.port(), ignoring)) {
      Exchange events = sse(nginx.port);
      assertThat(events.contentType).startsWith("text/event-stream");
      // the control: with the header ignored, nginx's buffering holds the events
      assertThat(events.firstMessageAfter)
          .as("server-sent events, header ignored: %s", events)
          .isGreaterThan(HOLD);
    }
  }

  /** Compression as many sites turn it on: it buffers unless the upstream asks for flushing. */
  private static final String GZIP =
      """
            gzip on;
            gzip_types text/plain application/json;
            gzip_min_length 1;
      """;

  /**
   * Publishes a message on a new channel and polls from before it through the proxy, reading the
   * reply as it arrives.
   */
  private static Exchange exchange(int port, boolean dontChunk) throws Exception {
    return exchange(port, dontChunk, false);
  }

  private static Exchange exchange(int port, boolean dontChunk, boolean gzip) throws Exception {
    String channel = "/proxy/" + UUID.randomUUID();
    String data = "m-" + UUID.randomUUID();
    bus.publish(channel, data);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + port + "/message-bus/" + UUID.randomUUID() + "/poll"))
            .timeout(HOLD.multipliedBy(3))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(channel + "=0"));
    if (dontChunk) {
      request.header("Dont-Chunk", "true");
    }
    if (gzip) {
      request.header("Accept-Encoding", "gzip");
    }
    long start = System.nanoTime();
    HttpResponse<InputStream> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    StringBuilder body = new StringBuilder();
    Duration firstMessage = null;
    boolean gzipped =
        response
            .headers()
            .firstValue("Content-Encoding")
            .filter("gzip"::equalsIgnoreCase)
            .isPresent();
    assertThat(gzipped).as("compressed").isEqualTo(gzip);
    try (InputStream in = gzipped ? new GZIPInputStream(response.body(), 64) : response.body()) {
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        body.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        if (firstMessage == null && body.indexOf("\"" + data + "\"") >= 0) {
          firstMessage = Duration.ofNanos(System.nanoTime() - start);
          if (dontChunk) {
            continue;
          }
          break; // a stream: no need to wait for the rest of the hold
        }
      }
    }
    assertThat(firstMessage).as("the message in %s", body).isNotNull();
    assertThat(body.toString().split("\"" + data + "\"", -1))
        .as("exactly once: %s", body)
        .hasSize(2);
    return new Exchange(contentType, firstMessage);
  }

  private record Exchange(String contentType, Duration firstMessageAfter) {
    /** Well before the server would end a held stream. */
    boolean promptly() {
      return firstMessageAfter.compareTo(HOLD.dividedBy(2)) < 0;
    }
  }

  /** One nginx master process with its own prefix directory, stopped on close. */
  private static final class Nginx implements AutoCloseable {

    /**
     * What docs/http.md documents for a location that proxies the bus (every transport), with
     * {@link #MAP} in the {@code http} block.
     */
    static final String SNIPPET =
        """
              proxy_http_version 1.1;
              proxy_set_header Upgrade $http_upgrade;
              proxy_set_header Connection $connection_upgrade;
              proxy_read_timeout 75s;
        """;

    /** The documented {@code http}-block map: "upgrade" for an upgrade, nothing otherwise. */
    static final String MAP =
        """
            map $http_upgrade $connection_upgrade {
              default upgrade;
              '' '';
            }
        """;

    final Process process;
    final int port;

    private Nginx(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static Nginx start(Path prefix, int upstream, String location) throws IOException {
      Files.createDirectories(prefix);
      prefix.toFile().setWritable(true, false);
      int port;
      try (ServerSocket probe = new ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      String conf =
          """
          worker_processes 1;
          error_log %1$s/error.log warn;
          pid %1$s/nginx.pid;
          events { worker_connections 64; }
          http {
            access_log off;
            client_body_temp_path %1$s/body;
            proxy_temp_path %1$s/proxy;
            fastcgi_temp_path %1$s/fastcgi;
            uwsgi_temp_path %1$s/uwsgi;
            scgi_temp_path %1$s/scgi;
          %5$s
            server {
              listen 127.0.0.1:%2$d;
              location / {
                proxy_pass http://127.0.0.1:%3$d;
          %4$s
              }
            }
          }
          """
              .formatted(
                  prefix,
                  port,
                  upstream,
                  location,
                  location.contains("$connection_upgrade") ? MAP : "");
      Path file = prefix.resolve("nginx.conf");
      Files.writeString(file, conf);
      Process process =
          new ProcessBuilder(
                  "/usr/sbin/nginx",
                  "-p",
                  prefix.toString(),
                  "-c",
                  file.toString(),
                  "-g",
                  "daemon off;")
              .redirectErrorStream(true)
              .redirectOutput(prefix.resolve("stdout.log").toFile())
              .start();
      Nginx nginx = new Nginx(process, port);
      try {
        await()
            .atMost(Duration.ofSeconds(10))
            .failFast("nginx exited, see " + prefix.resolve("stdout.log"), () -> !process.isAlive())
            .ignoreExceptionsInstanceOf(IOException.class)
            .until(
                () -> {
                  try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", nginx.port), 200);
                    return true;
                  }
                });
      } catch (RuntimeException | Error e) {
        nginx.stop();
        throw e;
      }
      return nginx;
    }

    @Override
    public void close() {
      stop();
    }

    void stop() {
      process.destroy(); // SIGTERM: nginx's fast shutdown
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
