// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/1.1 exchange over a raw socket, so tests see the exact bytes of the status line and the
 * headers as the container sent them (no client library normalises anything).
 */
final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  private RawHttp(Socket socket) {
    this.socket = socket;
  }

  /** Connects to 127.0.0.1; reads give up after 20 s so a broken server fails the test. */
  static RawHttp connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(20_000);
    return new RawHttp(s);
  }

  /**
   * Sends a form POST. Unless the headers say otherwise it asks for {@code Connection: close}, so
   * {@link #readToEnd} ends with the reply (held replies keep the connection open by default).
   */
  RawHttp post(String path, String form, String... headers) throws IOException {
    byte[] body = form.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder();
    sb.append("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    sb.append("Content-Type: application/x-www-form-urlencoded\r\n");
    boolean connection = false;
    for (String h : headers) {
      sb.append(h).append("\r\n");
      connection |= h.regionMatches(true, 0, "Connection:", 0, "Connection:".length());
    }
    if (!connection) {
      sb.append("Connection: close\r\n");
    }
    sb.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return this;
  }

  /** Sends bytes as given (part of a request, or several). */
  RawHttp send(String raw) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(raw.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return this;
  }

  /** Sends a GET. */
  RawHttp get(String path, String... headers) throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    sb.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return this;
  }

  /** The values of every header named {@code name} (any case), exactly as received. */
  static List<String> headers(String response, String name) {
    List<String> values = new ArrayList<>();
    for (String line : headerLines(response)) {
      int colon = line.indexOf(':');
      if (line.substring(0, colon).equalsIgnoreCase(name)) {
        values.add(line.substring(colon + 1).strip());
      }
    }
    return values;
  }

  /** Reads until the server closes the connection and returns every byte as UTF-8 text. */
  String readToEnd() throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      received.write(buf, 0, n);
    }
    return received.toString(StandardCharsets.UTF_8);
  }

  /** Reads until the text received so far contains {@code fragment}, and returns it. */
  String readUntil(String fragment) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[8192];
    while (!received.toString(StandardCharsets.UTF_8).contains(fragment)) {
      int n = in.read(buf);
      if (n < 0) {
        throw new IOException("connection closed before " + fragment + " in:\n" + received);
      }
      received.write(buf, 0, n);
    }
    return received.toString(StandardCharsets.UTF_8);
  }

  /** The header lines (after the status line) of a response, exactly as received. */
  static List<String> headerLines(String response) {
    String head = response.substring(0, response.indexOf("\r\n\r\n"));
    List<String> lines = new ArrayList<>(List.of(head.split("\r\n")));
    lines.remove(0);
    return lines;
  }

  /** The value of the one header named {@code name} (any case), exactly as received. */
  static String header(String response, String name) {
    List<String> values = new ArrayList<>();
    for (String line : headerLines(response)) {
      int colon = line.indexOf(':');
      if (line.substring(0, colon).equalsIgnoreCase(name)) {
        values.add(line.substring(colon + 1).strip());
      }
    }
    if (values.size() != 1) {
      throw new AssertionError(
          "expected one " + name + " header, got " + values + " in:\n" + response);
    }
    return values.get(0);
  }

  /** The body, with chunked framing removed when the response is chunked. */
  static String body(String response) {
    String raw = response.substring(response.indexOf("\r\n\r\n") + 4);
    boolean chunked =
        headerLines(response).stream()
            .anyMatch(
                l -> l.toLowerCase().startsWith("transfer-encoding:") && l.contains("chunked"));
    if (!chunked) {
      return raw;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < raw.length()) {
      int eol = raw.indexOf("\r\n", i);
      int size = Integer.parseInt(raw.substring(i, eol).strip(), 16);
      if (size == 0) {
        break;
      }
      // sizes count bytes; our bodies in these tests are ASCII-only where chunked
      out.append(raw, eol + 2, eol + 2 + size);
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
