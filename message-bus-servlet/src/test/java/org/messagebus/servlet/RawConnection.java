// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A raw HTTP/1.x exchange over a socket: sends the request bytes as given and collects every byte
 * of the response, so tests can assert the exact status line, headers and chunk framing.
 */
final class RawConnection implements AutoCloseable {

  private final Socket socket;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final Thread reader;
  private volatile boolean eof;

  private RawConnection(Socket socket) {
    this.socket = socket;
    this.reader = new Thread(this::readLoop, "raw-http-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static RawConnection open(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(0);
    return new RawConnection(s);
  }

  /** Sends a request: a POST with a form body unless a method and headers say otherwise. */
  static String post(String path, String contentType, String body, String... headers) {
    StringBuilder sb = new StringBuilder();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    sb.append("POST ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
    if (contentType != null) {
      sb.append("Content-Type: ").append(contentType).append("\r\n");
    }
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    sb.append("Content-Length: ").append(bytes.length).append("\r\n\r\n").append(body);
    return sb.toString();
  }

  RawConnection send(String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return this;
  }

  private void readLoop() {
    byte[] buf = new byte[8192];
    try (InputStream in = socket.getInputStream()) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (received) {
          received.write(buf, 0, n);
        }
      }
    } catch (IOException ignored) {
      // socket closed by the test
    } finally {
      eof = true;
    }
  }

  String text() {
    synchronized (received) {
      return received.toString(StandardCharsets.UTF_8);
    }
  }

  String awaitContains(String fragment, Duration atMost) {
    await().atMost(atMost).until(() -> text().contains(fragment));
    return text();
  }

  /** Waits until the server closed the connection, and returns everything received. */
  String awaitClosed(Duration atMost) {
    await().atMost(atMost).until(() -> eof);
    return text();
  }

  boolean isClosedByServer() {
    return eof;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
