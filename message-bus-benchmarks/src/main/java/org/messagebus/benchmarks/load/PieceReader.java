// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Turns a poll reply's body into JSON-array pieces the way the browser client does (SPEC §4.12,
 * §9.6): a reply whose {@code Content-Type} is exactly {@code application/json; charset=utf-8} is
 * one JSON array, handed over when the reply ends; any other reply is a stream of pieces, each
 * ended by {@code CR LF | CR LF}, with {@code CR LF | | CR LF} inside a piece standing for the
 * separator; a trailing piece without its separator waits for more bytes and is dropped if the
 * reply ends first.
 *
 * <p>Not thread-safe: one per connection.
 */
final class PieceReader {

  /** The exact content type of a reply that is one JSON array rather than a stream. */
  static final String JSON_TYPE = "application/json; charset=utf-8";

  private static final byte[] SEPARATOR = {'\r', '\n', '|', '\r', '\n'};

  /** Receives whole pieces. */
  interface Sink {
    /**
     * One JSON array, valid only during the call.
     *
     * @param buf the bytes
     * @param off where it starts
     * @param len how long it is
     */
    void piece(byte[] buf, int off, int len);
  }

  /** Where whole pieces go. */
  private final Sink sink;

  /**
   * The current reply's bytes not yet handed over: [0, len), scanned for separators up to scanned.
   */
  private byte[] buf = new byte[256];

  private int len;
  private int scanned;
  private boolean streamed;

  PieceReader(Sink sink) {
    this.sink = java.util.Objects.requireNonNull(sink, "sink");
  }

  /**
   * Starts a reply.
   *
   * @param contentType its {@code Content-Type}, or null
   */
  void start(@Nullable String contentType) {
    streamed = !JSON_TYPE.equals(contentType);
    len = 0;
    scanned = 0;
    if (buf.length > 4096) {
      buf = new byte[256];
    }
  }

  /**
   * Whether the current reply is a stream of pieces.
   *
   * @return true for a streamed reply
   */
  boolean streamed() {
    return streamed;
  }

  /**
   * More body bytes of the current reply.
   *
   * @param b the bytes
   * @param off where they start
   * @param n how many
   */
  void body(byte[] b, int off, int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
    System.arraycopy(b, off, buf, len, n);
    len += n;
    if (streamed) {
      split();
    }
  }

  /** The reply has ended: a JSON reply is handed over whole; a partial piece is dropped. */
  void end() {
    if (!streamed && len > 0) {
      sink.piece(buf, 0, len);
    }
    len = 0;
    scanned = 0;
  }

  private void split() {
    int from = 0;
    int i = Math.max(0, scanned - SEPARATOR.length + 1);
    while (true) {
      int at = indexOf(i);
      if (at < 0) {
        break;
      }
      emit(from, at);
      from = at + SEPARATOR.length;
      i = from;
    }
    if (from > 0) {
      System.arraycopy(buf, from, buf, 0, len - from);
      len -= from;
    }
    scanned = len;
  }

  private int indexOf(int from) {
    outer:
    for (int i = from; i <= len - SEPARATOR.length; i++) {
      for (int j = 0; j < SEPARATOR.length; j++) {
        if (buf[i + j] != SEPARATOR[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Hands over buf[from, to), un-escaping {@code CR LF | | CR LF} (never present in practice). */
  private void emit(int from, int to) {
    int w = from;
    for (int r = from; r < to; r++) {
      buf[w++] = buf[r];
      if (r + 5 < to
          && buf[r] == '\r'
          && buf[r + 1] == '\n'
          && buf[r + 2] == '|'
          && buf[r + 3] == '|'
          && buf[r + 4] == '\r'
          && buf[r + 5] == '\n') {
        buf[w++] = '\n';
        buf[w++] = '|';
        buf[w++] = '\r';
        buf[w++] = '\n';
        r += 5;
      }
    }
    sink.piece(buf, from, w - from);
  }
}
