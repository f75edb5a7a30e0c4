// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One generated HTTP/1.x request, kept in parts so that shrinking simplifies each part on its own,
 * and rendered to the exact bytes sent over the socket.
 *
 * @param method the method token, sent as is
 * @param target the request target (path and query), sent as is
 * @param version the protocol token ({@code HTTP/1.1}); empty renders an HTTP/0.9-style line
 * @param headers header lines without the line end, sent as is (framing headers come from {@code
 *     framing})
 * @param body the body bytes (before chunked framing)
 * @param framing how the body is delimited
 * @param mutation a byte-level change applied to the rendered request, or none
 */
record FuzzRequest(
    String method,
    String target,
    String version,
    List<String> headers,
    byte[] body,
    Framing framing,
    Mutation mutation) {

  /** How the body is delimited. */
  enum Framing {
    /** A correct {@code Content-Length}. */
    LENGTH,
    /** No length header (a body, if any, is then the next request). */
    NONE,
    /** A {@code Content-Length} larger than the body (the request ends early). */
    LENGTH_TOO_LONG,
    /** A {@code Content-Length} shorter than the body (the rest is a second request). */
    LENGTH_TOO_SHORT,
    /** Correct chunked framing. */
    CHUNKED,
    /** Chunked framing with a bad chunk size line. */
    CHUNKED_BROKEN,
    /** Both a {@code Content-Length} and chunked framing (request smuggling shape). */
    LENGTH_AND_CHUNKED,
    /** Two {@code Content-Length} headers that disagree. */
    TWO_LENGTHS,
    /** A negative {@code Content-Length}. */
    NEGATIVE_LENGTH
  }

  /**
   * A byte-level change to the rendered request: none, or overwrite, insert or cut at a position
   * (taken modulo the request length).
   */
  record Mutation(Kind kind, int position, byte[] bytes) {
    enum Kind {
      NONE,
      OVERWRITE,
      INSERT,
      TRUNCATE
    }

    static final Mutation NONE = new Mutation(Kind.NONE, 0, new byte[0]);

    byte[] apply(byte[] request) {
      if (kind == Kind.NONE || request.length == 0) {
        return request;
      }
      int at = Math.floorMod(position, request.length);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      switch (kind) {
        case OVERWRITE -> {
          out.write(request, 0, at);
          out.writeBytes(bytes);
          int after = Math.min(request.length, at + bytes.length);
          out.write(request, after, request.length - after);
        }
        case INSERT -> {
          out.write(request, 0, at);
          out.writeBytes(bytes);
          out.write(request, at, request.length - at);
        }
        case TRUNCATE -> out.write(request, 0, at);
        default -> throw new IllegalStateException();
      }
      return out.toByteArray();
    }

    @Override
    public String toString() {
      return kind == Kind.NONE
          ? "none"
          : kind + "@" + position + (kind == Kind.TRUNCATE ? "" : ":" + escape(bytes, 40));
    }
  }

  /** Whether the request is well-formed HTTP framing, so the server must answer it. */
  boolean mustBeAnswered() {
    return mutation.kind() == Mutation.Kind.NONE
        && (framing == Framing.LENGTH || framing == Framing.CHUNKED)
        && version.equals("HTTP/1.1")
        && method.matches("[A-Z]+")
        && target.startsWith("/")
        && headers.stream().anyMatch(h -> h.startsWith("Host: "));
  }

  /** The first line of rendered request bytes (after any mutation), without its line end. */
  static String requestLine(byte[] bytes) {
    int end = 0;
    while (end < bytes.length && bytes[end] != '\r' && bytes[end] != '\n') {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
  }

  boolean isHead() {
    return method.equals("HEAD");
  }

  /** The exact bytes sent. */
  byte[] render() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String line = version.isEmpty() ? method + " " + target : method + " " + target + " " + version;
    out.writeBytes((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    for (String h : headers) {
      out.writeBytes((h + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    byte[] payload = body;
    switch (framing) {
      case LENGTH -> header(out, "Content-Length: " + body.length);
      case NONE -> {}
      case LENGTH_TOO_LONG -> header(out, "Content-Length: " + (body.length + 7));
      case LENGTH_TOO_SHORT -> header(out, "Content-Length: " + Math.max(0, body.length / 2));
      case CHUNKED -> {
        header(out, "Transfer-Encoding: chunked");
        payload = chunked(body, false);
      }
      case CHUNKED_BROKEN -> {
        header(out, "Transfer-Encoding: chunked");
        payload = chunked(body, true);
      }
      case LENGTH_AND_CHUNKED -> {
        header(out, "Content-Length: " + body.length);
        header(out, "Transfer-Encoding: chunked");
        payload = chunked(body, false);
      }
      case TWO_LENGTHS -> {
        header(out, "Content-Length: " + body.length);
        header(out, "Content-Length: " + (body.length + 1));
      }
      case NEGATIVE_LENGTH -> header(out, "Content-Length: -" + (body.length + 1));
      default -> throw new IllegalStateException();
    }
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(payload);
    return mutation.apply(out.toByteArray());
  }

  private static void header(ByteArrayOutputStream out, String h) {
    out.writeBytes((h + "\r\n").getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] chunked(byte[] body, boolean broken) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int pos = 0;
    int size = 1;
    while (pos < body.length) {
      int n = Math.min(size, body.length - pos);
      String sizeLine = broken && pos == 0 ? "z" + Integer.toHexString(n) : Integer.toHexString(n);
      out.writeBytes((sizeLine + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, pos, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      pos += n;
      size = size * 3 + 1;
    }
    out.writeBytes((broken && body.length == 0 ? "-1\r\n\r\n" : "0\r\n\r\n").getBytes());
    return out.toByteArray();
  }

  @Override
  public String toString() {
    return escape(render(), 600) + "  [framing=" + framing + ", mutation=" + mutation + "]";
  }

  /** The bytes as a Java-like string literal body, long runs of one byte abbreviated. */
  static String escape(byte[] bytes, int max) {
    StringBuilder sb = new StringBuilder();
    int i = 0;
    while (i < bytes.length) {
      int run = 1;
      while (i + run < bytes.length && bytes[i + run] == bytes[i]) {
        run++;
      }
      if (run > 12) {
        sb.append("<").append(run).append(" x ");
        appendByte(sb, bytes[i]);
        sb.append(">");
        i += run;
        continue;
      }
      appendByte(sb, bytes[i]);
      i++;
      if (sb.length() > max) {
        sb.append("...<").append(bytes.length).append(" bytes in all>");
        break;
      }
    }
    return sb.toString();
  }

  private static void appendByte(StringBuilder sb, byte b) {
    int c = b & 0xff;
    if (c == '\r') {
      sb.append("\\r");
    } else if (c == '\n') {
      sb.append("\\n");
    } else if (c == '\\') {
      sb.append("\\\\");
    } else if (c >= 0x20 && c < 0x7f) {
      sb.append((char) c);
    } else {
      sb.append(String.format("\\x%02X", c));
    }
  }
}
