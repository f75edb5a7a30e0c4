// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental {@code text/event-stream} parser (the HTML standard's "event stream
 * interpretation"), fed a Server-Sent Events response body as it arrives, in pieces of any size.
 * Lines end with CR LF, LF or CR (a CR LF split between two pieces counts once); a line starting
 * with {@code :} is a comment (the server's heartbeat); {@code data:} lines are joined with LF;
 * {@code id:} sets the last event id (unless it contains NUL), {@code retry:} the reconnection
 * delay when it is all digits; a blank line dispatches the event when it has data. One space after
 * the colon is dropped; a line without a colon is a field with an empty value; unknown fields are
 * ignored. An event not ended by a blank line when the stream ends is dropped, as {@code
 * EventSource} drops it.
 *
 * <p>A line longer than {@link #MAX_LINE} throws {@link MalformedResponseException}.
 *
 * <p>Not thread-safe: one per connection.
 */
final class EventStreamParser {

  /** Longest line accepted (a message's {@code data:} line is one line). */
  static final int MAX_LINE = 1024 * 1024;

  /** Receives what the stream says. */
  interface Listener {
    /**
     * An event with data.
     *
     * @param lastEventId the last event id after this event (its own {@code id:}, or the one
     *     before), empty when none was ever sent
     * @param data the data lines joined with LF, valid only during the call
     * @param off where they start
     * @param len how long they are
     */
    void event(String lastEventId, byte[] data, int off, int len);

    /** A comment line (a heartbeat). */
    void comment();

    /**
     * A {@code retry:} field.
     *
     * @param millis the reconnection delay the server asks for
     */
    void retry(long millis);
  }

  private final Listener listener;
  private byte[] line = new byte[256];
  private int lineLen;
  private byte[] data = new byte[256];
  private int dataLen;
  private boolean hasData;
  private boolean afterCr;
  private boolean atStart = true;
  private String lastEventId = "";

  EventStreamParser(Listener listener) {
    this.listener = listener;
  }

  /**
   * The last event id the stream set (kept across {@link #end()} for the next request's {@code
   * Last-Event-ID}).
   *
   * @return the id, empty when none
   */
  String lastEventId() {
    return lastEventId;
  }

  /**
   * Parses more bytes of the stream.
   *
   * @param buf the bytes
   * @param off where they start
   * @param len how many
   * @throws MalformedResponseException if a line is too long
   */
  void feed(byte[] buf, int off, int len) throws MalformedResponseException {
    int end = off + len;
    for (int i = off; i < end; i++) {
      byte b = buf[i];
      if (afterCr) {
        afterCr = false;
        if (b == '\n') {
          continue; // the LF of a CR LF
        }
      }
      if (b == '\r') {
        afterCr = true;
        line();
      } else if (b == '\n') {
        line();
      } else {
        if (lineLen == MAX_LINE) {
          throw new MalformedResponseException("event stream line longer than " + MAX_LINE);
        }
        if (lineLen == line.length) {
          line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
        }
        line[lineLen++] = b;
      }
    }
  }

  /** The stream has ended: a pending event is dropped; the last event id is kept. */
  void end() {
    lineLen = 0;
    dataLen = 0;
    hasData = false;
    afterCr = false;
    atStart = true;
    if (line.length > 4096) {
      line = new byte[256];
    }
    if (data.length > 4096) {
      data = new byte[256];
    }
  }

  private void line() {
    int from = 0;
    if (atStart) {
      atStart = false;
      // A UTF-8 byte order mark at the very start of the stream is skipped.
      if (lineLen >= 3
          && line[0] == (byte) 0xEF
          && line[1] == (byte) 0xBB
          && line[2] == (byte) 0xBF) {
        from = 3;
      }
    }
    int n = lineLen;
    lineLen = 0;
    if (n == from) {
      dispatch();
      return;
    }
    if (line[from] == ':') {
      listener.comment();
      return;
    }
    int colon = -1;
    for (int k = from; k < n; k++) {
      if (line[k] == ':') {
        colon = k;
        break;
      }
    }
    int nameEnd = colon < 0 ? n : colon;
    int valueFrom = colon < 0 ? n : colon + 1;
    if (valueFrom < n && line[valueFrom] == ' ') {
      valueFrom++;
    }
    String name = new String(line, from, nameEnd - from, StandardCharsets.UTF_8);
    switch (name) {
      case "data" -> {
        int add = n - valueFrom + 1;
        if (dataLen + add > data.length) {
          data = Arrays.copyOf(data, Math.max(data.length * 2, dataLen + add));
        }
        System.arraycopy(line, valueFrom, data, dataLen, n - valueFrom);
        dataLen += n - valueFrom;
        data[dataLen++] = '\n';
        hasData = true;
      }
      case "id" -> {
        boolean nul = false;
        for (int k = valueFrom; k < n; k++) {
          nul |= line[k] == 0;
        }
        if (!nul) {
          lastEventId = new String(line, valueFrom, n - valueFrom, StandardCharsets.UTF_8);
        }
      }
      case "retry" -> {
        if (valueFrom < n && n - valueFrom <= 18) {
          long ms = 0;
          for (int k = valueFrom; k < n; k++) {
            if (line[k] < '0' || line[k] > '9') {
              return;
            }
            ms = ms * 10 + (line[k] - '0');
          }
          listener.retry(ms);
        }
      }
      default -> {
        // event: (the bus sends no types) and unknown fields are ignored
      }
    }
  }

  private void dispatch() {
    if (!hasData) {
      dataLen = 0;
      return;
    }
    int len = dataLen - 1; // the LF after the last data line
    dataLen = 0;
    hasData = false;
    listener.event(lastEventId, data, 0, len);
  }
}
