// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * An incremental HTTP/1.1 response parser for one connection: bytes go in as they arrive, in pieces
 * of any size, and come out as a {@link Head}, the de-chunked body and the end of each response.
 * Bodies are framed by {@code Transfer-Encoding: chunked} (chunk extensions and trailers are read
 * and ignored), by {@code Content-Length}, or, with neither, by the end of the connection. Several
 * responses may follow one another on a kept-alive connection; {@code 1xx} interim responses are
 * skipped, except {@code 101 Switching Protocols}: after it the connection speaks another protocol
 * (WebSocket), so every further byte is handed over as body until the connection ends.
 *
 * <p>Anything that is not a well-formed response (a bad status line, a header line without a colon,
 * a chunk size that is not hexadecimal, chunk data not followed by CRLF, a head or size line that
 * does not end, a {@code Content-Length} that is not a number or disagrees with a second one, a
 * transfer coding other than {@code chunked}) throws {@link MalformedResponseException}; the parser
 * is then unusable until {@link #reset()}.
 *
 * <p>Not thread-safe: one parser per connection, used by the thread that reads it.
 */
final class HttpResponseParser {

  /** Receives what the parser finds, in order: a head, body bytes, an end; then the next head. */
  interface Listener {
    /**
     * A response's status line and headers have been read.
     *
     * @param head what they say
     */
    void head(Head head);

    /**
     * Body bytes, de-chunked, valid only during the call.
     *
     * @param buf the bytes
     * @param off where they start
     * @param len how many
     */
    void body(byte[] buf, int off, int len);

    /** The response is complete. */
    void end();
  }

  /**
   * What a response's head says.
   *
   * @param status the status code
   * @param contentType the {@code Content-Type} value as sent, or null
   * @param chunked whether the body is chunked
   * @param contentLength the {@code Content-Length}, or -1 when absent
   * @param close whether the server closes the connection after this response ({@code Connection:
   *     close}, or HTTP/1.0 without {@code keep-alive})
   * @param webSocketAccept the {@code Sec-WebSocket-Accept} value of a {@code 101}, or null
   */
  record Head(
      int status,
      @Nullable String contentType,
      boolean chunked,
      long contentLength,
      boolean close,
      @Nullable String webSocketAccept) {

    Head(
        int status,
        @Nullable String contentType,
        boolean chunked,
        long contentLength,
        boolean close) {
      this(status, contentType, chunked, contentLength, close, null);
    }
  }

  /** Longest head (status line and headers) accepted. */
  static final int MAX_HEAD = 16 * 1024;

  /** Longest chunk-size line (with extensions) or trailer line accepted. */
  static final int MAX_LINE = 1024;

  private enum State {
    HEAD,
    SIZE,
    DATA,
    DATA_CR,
    DATA_LF,
    TRAILER,
    BODY,
    UNTIL_CLOSE,
    FAILED
  }

  private final Listener listener;
  private State state = State.HEAD;
  private byte[] line = new byte[128];
  private int lineLen;
  private long remaining;
  private boolean inResponse;

  HttpResponseParser(Listener listener) {
    this.listener = listener;
  }

  /** Forgets any partial response (after a reconnect). */
  void reset() {
    state = State.HEAD;
    lineLen = 0;
    remaining = 0;
    inResponse = false;
    if (line.length > 1024) {
      line = new byte[128];
    }
  }

  /**
   * Whether part of a response has been read and its end not yet.
   *
   * @return true between the first byte of a response and its end
   */
  boolean inResponse() {
    return inResponse || lineLen > 0;
  }

  /**
   * Parses more bytes of the connection.
   *
   * @param buf the bytes
   * @param off where they start
   * @param len how many
   * @throws MalformedResponseException if they are not a well-formed response
   */
  void feed(byte[] buf, int off, int len) throws MalformedResponseException {
    int i = off;
    int end = off + len;
    while (i < end) {
      switch (state) {
        case HEAD -> i = head(buf, i, end);
        case SIZE -> i = sizeLine(buf, i, end);
        case DATA, BODY -> {
          int take = (int) Math.min(remaining, end - i);
          listener.body(buf, i, take);
          i += take;
          remaining -= take;
          if (remaining == 0) {
            if (state == State.DATA) {
              state = State.DATA_CR;
            } else {
              complete();
            }
          }
        }
        case DATA_CR -> {
          expect(buf[i++], '\r', "chunk data not followed by CRLF");
          state = State.DATA_LF;
        }
        case DATA_LF -> {
          expect(buf[i++], '\n', "chunk data not followed by CRLF");
          state = State.SIZE;
        }
        case TRAILER -> i = trailerLine(buf, i, end);
        case UNTIL_CLOSE -> {
          listener.body(buf, i, end - i);
          i = end;
        }
        case FAILED -> throw new MalformedResponseException("parser used after a malformed reply");
      }
    }
  }

  /**
   * The connection has ended: completes a body that runs to the end of the connection.
   *
   * @return true if a response was cut short (the connection ended inside a head or a framed body)
   */
  boolean eof() {
    if (state == State.UNTIL_CLOSE) {
      complete();
      return false;
    }
    return inResponse();
  }

  private void expect(byte b, char wanted, String what) throws MalformedResponseException {
    if (b != wanted) {
      fail(what);
    }
  }

  private void fail(String why) throws MalformedResponseException {
    state = State.FAILED;
    throw new MalformedResponseException(why);
  }

  private void append(byte b, int max, String what) throws MalformedResponseException {
    if (lineLen == max) {
      fail(what + " longer than " + max + " bytes");
    }
    if (lineLen == line.length) {
      line = Arrays.copyOf(line, Math.min(max, line.length * 2));
    }
    line[lineLen++] = b;
  }

  private int head(byte[] buf, int i, int end) throws MalformedResponseException {
    while (i < end) {
      append(buf[i++], MAX_HEAD, "response head");
      int l = lineLen;
      if (l >= 4
          && line[l - 1] == '\n'
          && line[l - 2] == '\r'
          && line[l - 3] == '\n'
          && line[l - 4] == '\r') {
        String text = new String(line, 0, l - 4, StandardCharsets.ISO_8859_1);
        lineLen = 0;
        parseHead(text);
        return i;
      }
    }
    return i;
  }

  private void parseHead(String text) throws MalformedResponseException {
    String[] lines = text.split("\r\n", -1);
    String statusLine = lines[0];
    if (!(statusLine.startsWith("HTTP/1.1 ") || statusLine.startsWith("HTTP/1.0 "))
        || statusLine.length() < 12
        || !isDigits(statusLine, 9, 12)
        || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
      fail("bad status line: " + abbreviate(statusLine));
    }
    boolean http10 = statusLine.charAt(7) == '0';
    int status = Integer.parseInt(statusLine.substring(9, 12));
    String contentType = null;
    String transferEncoding = null;
    long contentLength = -1;
    String connection = "";
    String webSocketAccept = null;
    for (int k = 1; k < lines.length; k++) {
      String h = lines[k];
      int colon = h.indexOf(':');
      if (colon < 1 || h.charAt(0) == ' ' || h.charAt(0) == '\t') {
        fail("bad header line: " + abbreviate(h));
      }
      String name = h.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      switch (name) {
        case "content-type" -> contentType = value;
        case "transfer-encoding" -> transferEncoding = value.toLowerCase(Locale.ROOT);
        case "connection" -> connection = connection + "," + value.toLowerCase(Locale.ROOT);
        case "sec-websocket-accept" -> webSocketAccept = value;
        case "content-length" -> {
          if (value.isEmpty() || !isDigits(value, 0, value.length()) || value.length() > 15) {
            fail("bad Content-Length: " + abbreviate(value));
          }
          long v = Long.parseLong(value);
          if (contentLength >= 0 && contentLength != v) {
            fail("two different Content-Length values");
          }
          contentLength = v;
        }
        default -> {
          // not needed
        }
      }
    }
    boolean chunked = false;
    if (transferEncoding != null) {
      if (!transferEncoding.equals("chunked")) {
        fail("unsupported Transfer-Encoding: " + abbreviate(transferEncoding));
      }
      if (contentLength >= 0) {
        fail("both Transfer-Encoding and Content-Length");
      }
      chunked = true;
    }
    boolean close =
        hasToken(connection, "close") || (http10 && !hasToken(connection, "keep-alive"));
    if (status == 101) {
      // Switching Protocols: the rest of the connection is the new protocol's.
      inResponse = true;
      listener.head(new Head(status, contentType, false, -1, false, webSocketAccept));
      state = State.UNTIL_CLOSE;
      return;
    }
    if (status >= 100 && status < 200) {
      return; // interim response: the real one follows
    }
    inResponse = true;
    listener.head(new Head(status, contentType, chunked, contentLength, close, null));
    boolean noBody = status == 204 || status == 304;
    if (chunked && !noBody) {
      state = State.SIZE;
    } else if (contentLength > 0 && !noBody) {
      remaining = contentLength;
      state = State.BODY;
    } else if (contentLength == 0 || noBody) {
      complete();
    } else {
      state = State.UNTIL_CLOSE;
    }
  }

  private static boolean hasToken(String list, String token) {
    for (String t : list.split(",", -1)) {
      if (t.trim().equals(token)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isDigits(String s, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }

  /** Reads up to the end of a line (LF, which must follow CR); returns -1 while incomplete. */
  private int lineEnd(byte[] buf, int i, int end, String what) throws MalformedResponseException {
    while (i < end) {
      byte b = buf[i++];
      if (b == '\n') {
        if (lineLen == 0 || line[lineLen - 1] != '\r') {
          fail(what + " not ended by CRLF");
        }
        lineLen--; // drop the CR
        return i;
      }
      append(b, MAX_LINE, what);
    }
    return -1;
  }

  private int sizeLine(byte[] buf, int i, int end) throws MalformedResponseException {
    int next = lineEnd(buf, i, end, "chunk size line");
    if (next < 0) {
      return end;
    }
    int stop = lineLen;
    for (int k = 0; k < lineLen; k++) {
      if (line[k] == ';' || line[k] == ' ' || line[k] == '\t') {
        stop = k;
        break;
      }
    }
    if (stop == 0 || stop > 15) {
      fail(
          "bad chunk size: " + abbreviate(new String(line, 0, lineLen, StandardCharsets.US_ASCII)));
    }
    long size = 0;
    for (int k = 0; k < stop; k++) {
      int d = Character.digit(line[k], 16);
      if (d < 0) {
        fail(
            "bad chunk size: "
                + abbreviate(new String(line, 0, lineLen, StandardCharsets.US_ASCII)));
      }
      size = size * 16 + d;
    }
    lineLen = 0;
    if (size == 0) {
      state = State.TRAILER;
    } else {
      remaining = size;
      state = State.DATA;
    }
    return next;
  }

  private int trailerLine(byte[] buf, int i, int end) throws MalformedResponseException {
    int next = lineEnd(buf, i, end, "trailer line");
    if (next < 0) {
      return end;
    }
    boolean empty = lineLen == 0;
    lineLen = 0;
    if (empty) {
      complete();
    }
    return next;
  }

  private void complete() {
    state = State.HEAD;
    inResponse = false;
    listener.end();
  }
}
