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

  private static byte[] concat(byte[] head, String tail) {
    byte[] t = tail.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + t.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(t, 0, all, head.length, t.length);
    return all;
  }
}
