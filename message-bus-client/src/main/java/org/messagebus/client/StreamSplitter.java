// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a streamed message_bus reply into its pieces (SPEC §4.12): each piece is a JSON array
 * followed by {@code CR LF | CR LF}; an escaped separator {@code CR LF | | CR LF} inside a piece
 * stands for the separator itself. Works on bytes, so any chunk boundary — even one inside a
 * multi-byte UTF-8 character or inside the separator — is handled. Not thread-safe.
 */
final class StreamSplitter {

  private static final byte[] SEPARATOR = {'\r', '\n', '|', '\r', '\n'};
  private static final String ESCAPED = "\r\n||\r\n";
  private static final String PLAIN = "\r\n|\r\n";

  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  /** Adds received bytes and returns the pieces they complete, in order. */
  List<String> feed(byte[] bytes, int offset, int length) {
    pending.write(bytes, offset, length);
    byte[] buf = pending.toByteArray();
    List<String> pieces = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i <= buf.length - SEPARATOR.length) {
      if (matchesSeparator(buf, i)) {
        String piece = new String(buf, start, i - start, StandardCharsets.UTF_8);
        pieces.add(piece.contains(ESCAPED) ? piece.replace(ESCAPED, PLAIN) : piece);
        i += SEPARATOR.length;
        start = i;
      } else {
        i++;
      }
    }
    if (start > 0) {
      pending.reset();
      pending.write(buf, start, buf.length - start);
    }
    return pieces;
  }

  /** Bytes received after the last complete piece. */
  int remaining() {
    return pending.size();
  }

  private static boolean matchesSeparator(byte[] buf, int at) {
    for (int k = 0; k < SEPARATOR.length; k++) {
      if (buf[at + k] != SEPARATOR[k]) {
        return false;
      }
    }
    return true;
  }
}
