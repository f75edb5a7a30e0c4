// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.messagebus.Message;
import org.messagebus.WireJson;

/** The bytes of the HTTP protocol (SPEC §4.5, §4.7, §4.12). */
final class Wire {

  static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";
  static final String STREAM_CONTENT_TYPE = "text/plain; charset=utf-8";
  static final String EVENT_STREAM_CONTENT_TYPE = "text/event-stream; charset=utf-8";

  /** The comment line an idle Server-Sent Events stream sends as its heartbeat. */
  static final byte[] SSE_HEARTBEAT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

  static final String SEPARATOR = "\r\n|\r\n";
  private static final String ESCAPED_SEPARATOR = "\r\n||\r\n";
  static final byte[] EMPTY_ARRAY = "[]".getBytes(StandardCharsets.US_ASCII);
  static final byte[] EMPTY_PIECE = piece(EMPTY_ARRAY);
  static final byte[] EMPTY_CHUNK = chunk(EMPTY_PIECE);

  /** The {@code []} chunk that ends a self-framed stream, then the terminating zero chunk. */
  static final byte[] CLOSING_CHUNKS = concat(EMPTY_CHUNK, "0\r\n\r\n");

  private Wire() {}

  /** A JSON array of messages with exactly the keys global_id, message_id, channel, data. */
  static byte[] json(ObjectMapper mapper, List<Message> messages) {
    return WireJson.writeMessages(mapper, messages);
  }

  /** One streamed piece: the JSON with the separator escaped, then the separator. */
  static byte[] piece(byte[] json) {
    String text = new String(json, StandardCharsets.UTF_8);
    if (text.contains(SEPARATOR)) {
      text = text.replace(SEPARATOR, ESCAPED_SEPARATOR);
    }
    return (text + SEPARATOR).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * One piece as one complete HTTP/1.1 chunk, as Ruby writes it: the lowercase hexadecimal byte
   * length, CRLF, the piece, CRLF (SPEC §4.12). For a stream the filter frames itself ({@link
   * StreamFraming}).
   */
  static byte[] chunk(byte[] piece) {
    byte[] size = (Integer.toHexString(piece.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] chunk = new byte[size.length + piece.length + 2];
    System.arraycopy(size, 0, chunk, 0, size.length);
    System.arraycopy(piece, 0, chunk, size.length, piece.length);
    chunk[chunk.length - 2] = '\r';
    chunk[chunk.length - 1] = '\n';
    return chunk;
  }

  /**
   * The {@code data:} part of a Server-Sent Event carrying one message: the message as the JSON
   * object a poll reply carries, then the blank line that ends the event. Compact JSON has no line
   * break; should a codec write one, each line becomes its own {@code data:} line (the browser
   * joins them with a line feed, which JSON reads as white space).
   */
  static byte[] sseData(byte[] oneMessageArray) {
    // The array of one message is "[" + object + "]".
    String object =
        new String(oneMessageArray, 1, oneMessageArray.length - 2, StandardCharsets.UTF_8);
    if (object.indexOf('\n') >= 0 || object.indexOf('\r') >= 0) {
      object = object.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\ndata: ");
    }
    return ("data: " + object + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /** The {@code id:} line of a Server-Sent Event: the positions, comma-separated. */
  static byte[] sseId(long[] positions) {
    StringBuilder b = new StringBuilder(4 + positions.length * 8).append("id: ");
    for (int i = 0; i < positions.length; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(positions[i]);
    }
    return b.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * One Server-Sent Event: the {@code id:} line of {@link #sseId} followed by {@code data}, written
   * straight into one array (the same bytes as {@code concat(sseId(positions), data)} without the
   * builder, the string and the two intermediate arrays, per client and message).
   */
  static byte[] sseEvent(long[] positions, byte[] data) {
    int n = 5 + data.length; // "id: " and the line feed
    for (int i = 0; i < positions.length; i++) {
      n += (i > 0 ? 1 : 0) + decimalLength(positions[i]);
    }
    byte[] event = new byte[n];
    event[0] = 'i';
    event[1] = 'd';
    event[2] = ':';
    event[3] = ' ';
    int at = 4;
    for (int i = 0; i < positions.length; i++) {
      if (i > 0) {
        event[at++] = ',';
      }
      at = putDecimal(event, at, positions[i]);
    }
    event[at++] = '\n';
    System.arraycopy(data, 0, event, at, data.length);
    return event;
  }

  private static int decimalLength(long v) {
    if (v == Long.MIN_VALUE) {
      return 20;
    }
    int n = v < 0 ? 2 : 1;
    for (long a = Math.abs(v); a >= 10; a /= 10) {
      n++;
    }
    return n;
  }

  /** Writes {@code v} in decimal ASCII at {@code at}; returns the index after it. */
  private static int putDecimal(byte[] into, int at, long v) {
    if (v == Long.MIN_VALUE) {
      byte[] text = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(text, 0, into, at, text.length);
      return at + text.length;
    }
    int len = decimalLength(v);
    int end = at + len;
    long a = v;
    if (a < 0) {
      into[at] = '-';
      a = -a;
    }
    int i = end;
    do {
      into[--i] = (byte) ('0' + (int) (a % 10));
      a /= 10;
    } while (a != 0);
    return end;
  }

  /** The {@code retry:} field a Server-Sent Events stream opens with. */
  static byte[] sseRetry(long millis) {
    return ("retry: " + millis + "\n\n").getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static byte[] concat(byte[] head, String tail) {
    byte[] t = tail.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + t.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(t, 0, all, head.length, t.length);
    return all;
  }
}
