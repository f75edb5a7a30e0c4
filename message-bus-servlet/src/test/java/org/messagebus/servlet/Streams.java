// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.util.ArrayList;
import java.util.List;

/** Parsing of raw HTTP/1.1 responses captured by {@link RawConnection}. */
final class Streams {

  private Streams() {}

  /** The head (status line and headers) of a raw response, without the blank line. */
  static String head(String raw) {
    int end = raw.indexOf("\r\n\r\n");
    return end < 0 ? raw : raw.substring(0, end);
  }

  /** The raw bytes after the head. */
  static String rawBody(String raw) {
    int end = raw.indexOf("\r\n\r\n");
    return end < 0 ? "" : raw.substring(end + 4);
  }

  /** The chunks of a chunked body, as (lowercase hex size, data) pairs; stops at the 0 chunk. */
  static List<String[]> chunks(String body) {
    List<String[]> chunks = new ArrayList<>();
    int i = 0;
    while (i < body.length()) {
      int eol = body.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      String size = body.substring(i, eol);
      int n = Integer.parseInt(size, 16);
      if (n == 0) {
        chunks.add(new String[] {"0", ""});
        break;
      }
      // sizes are bytes; the test payloads are ASCII
      chunks.add(new String[] {size.toLowerCase(), body.substring(eol + 2, eol + 2 + n)});
      i = eol + 2 + n + 2;
    }
    return chunks;
  }

  /** The de-chunked body split into pieces on the streaming separator. */
  static List<String> pieces(String raw) {
    StringBuilder all = new StringBuilder();
    for (String[] c : chunks(rawBody(raw))) {
      all.append(c[1]);
    }
    List<String> pieces = new ArrayList<>();
    String s = all.toString();
    int from = 0;
    int sep;
    while ((sep = s.indexOf(Wire.SEPARATOR, from)) >= 0) {
      pieces.add(s.substring(from, sep));
      from = sep + Wire.SEPARATOR.length();
    }
    return pieces;
  }

  /** Header lines of the head, lowercase names. */
  static List<String> headerNames(String raw) {
    List<String> names = new ArrayList<>();
    String[] lines = head(raw).split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      names.add(lines[i].substring(0, lines[i].indexOf(':')).toLowerCase());
    }
    return names;
  }
}
