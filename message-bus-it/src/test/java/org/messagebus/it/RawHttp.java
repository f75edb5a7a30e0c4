// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One HTTP/1.x exchange over a plain socket: the request bytes go out exactly as given (nothing is
 * normalised, unlike {@code java.net.http}), and every response that comes back is parsed: status
 * line, headers, and a body delimited by {@code Content-Length}, chunked framing or the end of the
 * connection.
 *
 * <p>How the exchange ends depends on what is sent. A request that may be incomplete or broken
 * ({@link #exchange}) is followed by a shutdown of the sending side, so it meets end-of-input
 * instead of an idle timeout, and responses are collected until the server closes the connection. A
 * well-formed request ({@link #answer}) keeps the sending side open until its response is complete:
 * the server takes the end of a held poll's input for a client that went away and ends the poll
 * without an answer (README, "a client that goes away"), as it should.
 */
final class RawHttp {

  /** One parsed response. {@code body} is de-chunked. */
  record Response(int status, String statusLine, List<String[]> headers, byte[] body) {

    /** The first value of a header (case-insensitive), or null. */
    String header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h[1];
        }
      }
      return null;
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /**
   * What came back: the complete responses, and whether the server closed the connection after them
   * with bytes that do not form a complete response ({@code trailing}); {@code ending} says how the
   * exchange ended (for failure messages: how long it took, how many bytes came, and whether the
   * connection met its end, a reset, a write failure or the timeout).
   */
  record Exchange(List<Response> responses, byte[] trailing, boolean timedOut, String ending) {
    Exchange(List<Response> responses, byte[] trailing, boolean timedOut) {
      this(responses, trailing, timedOut, "");
    }
  }

  private RawHttp() {}

  /**
   * Sends a request and collects the responses until the server closes the connection or {@code
   * timeout} passes.
   *
   * @param headRequest whether the request is a HEAD (its response has no body)
   */
  static Exchange exchange(int port, byte[] request, boolean headRequest, Duration timeout)
      throws IOException {
    return exchange(port, request, headRequest, timeout, false);
  }

  /**
   * Sends a well-formed request and collects responses until the first one is complete (or the
   * server closes the connection, or {@code timeout} passes), without shutting down the sending
   * side before.
   *
   * @param headRequest whether the request is a HEAD (its response has no body)
   */
  static Exchange answer(int port, byte[] request, boolean headRequest, Duration timeout)
      throws IOException {
    return exchange(port, request, headRequest, timeout, true);
  }

  private static Exchange exchange(
      int port, byte[] request, boolean headRequest, Duration timeout, boolean untilAnswered)
      throws IOException {
    long began = System.nanoTime();
    long deadline = began + timeout.toNanos();
    Received received = new Received();
    boolean timedOut = false;
    String how = "answered";
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(250);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
        if (!untilAnswered) {
          socket.shutdownOutput();
        }
      } catch (SocketException e) {
        // the server may close early (e.g. after answering 413 or 431): read what it sent
        how = "write failed (" + e.getMessage() + "), then ";
      }
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[16384];
      while (true) {
        if (System.nanoTime() > deadline) {
          timedOut = true;
          how = how.endsWith(" ") ? how + "timed out" : "timed out";
          break;
        }
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          continue;
        } catch (SocketException e) {
          how = (how.endsWith(" ") ? how : "") + "read failed (" + e.getMessage() + ")";
          break; // reset by the server after its answer
        }
        if (n < 0) {
          how = (how.endsWith(" ") ? how : "") + "end of input";
          break;
        }
        received.write(buf, 0, n);
        if (untilAnswered
            && mayBeComplete(received, headRequest)
            && hasDelimitedResponse(received.toByteArray(), headRequest)) {
          break;
        }
      }
    }
    Exchange ex = parse(received.toByteArray(), headRequest, timedOut);
    String ending =
        how
            + " after "
            + received.size()
            + " bytes in "
            + (System.nanoTime() - began) / 1_000_000
            + " ms";
    return new Exchange(ex.responses(), ex.trailing(), timedOut, ending);
  }

  /**
   * A cheap pre-check run after every read, so that a response of many megabytes is parsed once
   * rather than once per read (which is quadratic, and on a loaded machine took longer than the
   * timeout): true when the first response could be complete — its framing is unknown yet, its
   * {@code Content-Length} bytes have all arrived, or the bytes end like a chunked body's last
   * chunk. {@link #hasDelimitedResponse} then decides.
   */
  private static boolean mayBeComplete(Received received, boolean headRequest) {
    int size = received.size();
    if (headRequest || size < 5) {
      return true;
    }
    // the head is at the start: look for it in a bounded copy, never in the whole body
    byte[] start = java.util.Arrays.copyOf(received.array(), Math.min(size, 64 * 1024));
    int headEnd = indexOf(start, 0, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    if (headEnd < 0) {
      return size >= start.length; // a head that does not fit: let the full parse decide
    }
    Response head = parseHead(start, 0, headEnd);
    if (head == null) {
      return true;
    }
    String te = head.header("Transfer-Encoding");
    String cl = head.header("Content-Length");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      return endsWith(received.array(), size, "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    if (cl != null) {
      try {
        return size >= headEnd + 4 + Integer.parseInt(cl.trim());
      } catch (NumberFormatException e) {
        return true;
      }
    }
    return true;
  }

  /** The bytes read so far, readable in place (no copy per read). */
  private static final class Received extends ByteArrayOutputStream {
    Received() {
      super(16384);
    }

    byte[] array() {
      return buf;
    }
  }

  /** The status line and headers of the head in {@code bytes[from, headEnd)}, or null. */
  private static Response parseHead(byte[] bytes, int from, int headEnd) {
    String[] lines =
        new String(bytes, from, headEnd - from, StandardCharsets.ISO_8859_1).split("\r\n");
    int status = parseStatus(lines[0]);
    if (status < 0) {
      return null;
    }
    List<String[]> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.add(
            new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).trim()});
      }
    }
    return new Response(status, lines[0], headers, new byte[0]);
  }

  private static boolean endsWith(byte[] bytes, int length, byte[] suffix) {
    if (length < suffix.length) {
      return false;
    }
    for (int i = 0; i < suffix.length; i++) {
      if (bytes[length - suffix.length + i] != suffix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Whether the bytes hold a complete response that does not end with the connection. */
  private static boolean hasDelimitedResponse(byte[] bytes, boolean headRequest) {
    List<Response> responses = parse(bytes, headRequest, false).responses();
    if (responses.isEmpty()) {
      return false;
    }
    Response r = responses.get(0);
    String te = r.header("Transfer-Encoding");
    return headRequest
        || r.status() == 204
        || r.status() == 304
        || r.header("Content-Length") != null
        || te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
  }

  static Exchange parse(byte[] bytes, boolean headRequest, boolean timedOut) {
    List<Response> responses = new ArrayList<>();
    int pos = 0;
    while (pos < bytes.length) {
      int headEnd = indexOf(bytes, pos, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      if (headEnd < 0) {
        break;
      }
      Response probe = parseHead(bytes, pos, headEnd);
      if (probe == null) {
        break;
      }
      int status = probe.status();
      String statusLine = probe.statusLine();
      List<String[]> headers = probe.headers();
      int bodyStart = headEnd + 4;
      String te = probe.header("Transfer-Encoding");
      String cl = probe.header("Content-Length");
      byte[] body;
      int next;
      if (headRequest || status / 100 == 1 || status == 204 || status == 304) {
        body = new byte[0];
        next = bodyStart;
      } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int p = bodyStart;
        boolean complete = false;
        while (true) {
          int eol = indexOf(bytes, p, new byte[] {'\r', '\n'});
          if (eol < 0) {
            break;
          }
          String sizeLine = new String(bytes, p, eol - p, StandardCharsets.ISO_8859_1);
          int semi = sizeLine.indexOf(';');
          int size;
          try {
            size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
          } catch (NumberFormatException e) {
            break;
          }
          p = eol + 2;
          if (size == 0) {
            int end = indexOf(bytes, p, new byte[] {'\r', '\n'});
            if (end >= 0) {
              p = end + 2;
              complete = true;
            }
            break;
          }
          if (p + size + 2 > bytes.length) {
            break;
          }
          b.write(bytes, p, size);
          p += size + 2;
        }
        if (!complete) {
          break;
        }
        body = b.toByteArray();
        next = p;
      } else if (cl != null) {
        int length;
        try {
          length = Integer.parseInt(cl.trim());
        } catch (NumberFormatException e) {
          break;
        }
        if (bodyStart + length > bytes.length) {
          break;
        }
        body = java.util.Arrays.copyOfRange(bytes, bodyStart, bodyStart + length);
        next = bodyStart + length;
      } else {
        // delimited by the end of the connection
        body = java.util.Arrays.copyOfRange(bytes, bodyStart, bytes.length);
        next = bytes.length;
      }
      if (status / 100 != 1) {
        responses.add(new Response(status, statusLine, headers, body));
      }
      pos = next;
    }
    byte[] trailing = java.util.Arrays.copyOfRange(bytes, pos, bytes.length);
    return new Exchange(responses, trailing, timedOut);
  }

  private static int parseStatus(String statusLine) {
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      return -1;
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static int indexOf(byte[] hay, int from, byte[] needle) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
