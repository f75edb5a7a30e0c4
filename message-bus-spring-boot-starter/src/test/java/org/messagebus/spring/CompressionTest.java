// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.servlet.MessageBusFilter;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Response compression ({@code server.compression.enabled=true}) must not hold back a streamed
 * poll: each message reaches the client while the poll is still held. On Jetty the starter keeps
 * the endpoint out of compression (Jetty's GzipHandler would buffer the stream: without the guard
 * nothing arrives); Tomcat compresses and flushes each chunk, which this test shows by inflating
 * what has arrived so far.
 */
@Timeout(90)
class CompressionTest {

  @Test
  void jetty_streamedPoll_isNotCompressed_andEachMessageArrivesAtOnce() throws Exception {
    try (Held held = Held.start(JettyEndToEndTest.Jetty.class)) {
      held.bus.publish("/zip", "streamed-message");
      String response = held.readUntil(text -> text.contains("streamed-message"));
      assertThat(response).startsWith("HTTP/1.1 200 ");
      assertThat(RawHttp.headers(response, "Content-Encoding")).isEmpty();
      assertThat(RawHttp.header(response, "Content-Type")).isEqualTo("text/plain; charset=utf-8");
    }
  }

  @Test
  void tomcat_streamedPoll_isCompressedChunkByChunk_andEachMessageArrivesAtOnce() throws Exception {
    try (Held held = Held.start(TomcatEndToEndTest.Tomcat.class)) {
      held.bus.publish("/zip", "streamed-message");
      String response =
          held.readUntil(
              text -> text.contains("\r\n\r\n") && gunzipSoFar(text).contains("streamed-message"));
      assertThat(RawHttp.header(response, "Content-Encoding")).isEqualTo("gzip");
      assertThat(held.filter.heldPolls()).as("still held").isEqualTo(1);
    }
  }

  /** Inflates the complete chunks of a gzip-encoded chunked body received so far. */
  static String gunzipSoFar(String response) {
    byte[] raw =
        response.substring(response.indexOf("\r\n\r\n") + 4).getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    int i = 0;
    while (true) {
      int eol = indexOf(raw, i);
      if (eol < 0) {
        break;
      }
      int size =
          Integer.parseInt(new String(raw, i, eol - i, StandardCharsets.US_ASCII).strip(), 16);
      if (size == 0 || eol + 2 + size > raw.length) {
        break;
      }
      gz.write(raw, eol + 2, size);
      i = eol + 2 + size + 2;
      if (i > raw.length) {
        break;
      }
    }
    byte[] g = gz.toByteArray();
    if (g.length <= 10) {
      return "";
    }
    Inflater inflater = new Inflater(true);
    inflater.setInput(g, 10, g.length - 10);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      int n;
      while ((n = inflater.inflate(buf)) > 0) {
        out.write(buf, 0, n);
      }
    } catch (DataFormatException e) {
      return "";
    } finally {
      inflater.end();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** An application with compression on and one streaming poll held (Accept-Encoding: gzip). */
  static final class Held implements AutoCloseable {
    final ConfigurableApplicationContext ctx;
    final MessageBus bus;
    final MessageBusFilter filter;
    final Socket socket;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private Held(ConfigurableApplicationContext ctx) throws IOException {
      this.ctx = ctx;
      this.bus = ctx.getBean(MessageBus.class);
      this.filter = ctx.getBean(MessageBusFilter.class);
      int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
      this.socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(20_000);
      String body = "/zip=" + bus.lastId("/zip");
      String req =
          "POST /message-bus/cz/poll HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
              + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body;
      socket.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      await().atMost(Duration.ofSeconds(10)).until(() -> filter.heldPolls() == 1);
    }

    static Held start(Class<?> container) throws IOException {
      ConfigurableApplicationContext ctx =
          new SpringApplication(EndToEndContract.App.class, container)
              .run(
                  "--server.port=0",
                  "--server.address=127.0.0.1",
                  "--server.compression.enabled=true",
                  "--server.compression.min-response-size=1B",
                  "--message-bus.keepalive-interval=0",
                  "--message-bus.http.long-polling-interval=30s");
      try {
        return new Held(ctx);
      } catch (IOException | RuntimeException e) {
        ctx.close();
        throw e;
      }
    }

    /** Reads until the text so far (ISO-8859-1, byte for byte) satisfies the test. */
    String readUntil(java.util.function.Predicate<String> done) throws IOException {
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[8192];
      while (!done.test(received.toString(StandardCharsets.ISO_8859_1))) {
        int n = in.read(buf);
        if (n < 0) {
          throw new IOException("closed early:\n" + received);
        }
        received.write(buf, 0, n);
      }
      return received.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      ctx.close();
    }
  }
}
