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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
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
 * hold ends; a buffering proxy only when the server ends the response.
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
            .httpOptions(HttpTransportOptions.builder().longPollingInterval(HOLD).build())
            .build()
            .start();
    dir = Files.createTempDirectory("mb-nginx");
    // the first exchanges of a fresh JVM are slow: warm up directly, so timings compare the proxies
    for (int i = 0; i < 20; i++) {
      exchange(server.port(), true);
      exchange(server.port(), false);
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
  void defaults_longPollDeliversAtOnce_andAStreamIsAnsweredAsALongPoll() throws Exception {
    try (Nginx nginx = Nginx.start(dir.resolve("defaults"), server.port(), "")) {
      Exchange poll = exchange(nginx.port, true);
      assertThat(poll.contentType).startsWith("application/json");
      assertThat(poll.promptly()).as("long poll via nginx defaults: %s", poll).isTrue();

      // HTTP/1.0 to the upstream cannot carry chunks: the server answers the stream as a long poll
      Exchange stream = exchange(nginx.port, false);
      assertThat(stream.contentType).startsWith("application/json");
      assertThat(stream.promptly()).as("stream via nginx defaults: %s", stream).isTrue();
    }
  }

  @Test
  void documentedSnippet_streamsPromptly() throws Exception {
    try (Nginx nginx = Nginx.start(dir.resolve("snippet"), server.port(), Nginx.SNIPPET)) {
      Exchange poll = exchange(nginx.port, true);
      assertThat(poll.promptly()).as("long poll via the snippet: %s", poll).isTrue();

      Exchange stream = exchange(nginx.port, false);
      assertThat(stream.contentType).startsWith("text/plain");
      assertThat(stream.promptly()).as("stream via the snippet: %s", stream).isTrue();
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

    /** What the README documents for a location that proxies the bus. */
    static final String SNIPPET =
        """
              proxy_http_version 1.1;
              proxy_set_header Connection "";
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
            server {
              listen 127.0.0.1:%2$d;
              location / {
                proxy_pass http://127.0.0.1:%3$d;
          %4$s
              }
            }
          }
          """
              .formatted(prefix, port, upstream, location);
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
