// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Strict {@code application/x-www-form-urlencoded} decoding, and the {@code Content-Type} header
 * read by hand. The endpoint parses its forms (poll bodies, the broadcast query and body) itself
 * instead of asking the container: containers differ in what they accept, and some throw from
 * {@code getParameter} or {@code getContentType} (Jetty, for an unknown charset). Bad percent
 * encoding, bytes that are not valid in the charset, too many fields or an unsupported charset are
 * {@link BadRequestException}s with a one-line reason.
 */
final class FormData {

  /** One field; {@code value} is null for a key without {@code =}. */
  record Field(String key, @Nullable String value) {}

  private static final String UTF_8_PARAMETER = "; charset=UTF-8";

  private FormData() {}

  /**
   * Decodes a form. {@code what} names it in error messages ("the form body", "the query").
   *
   * @param maxFields the most fields accepted (empty pairs between {@code &&} are skipped)
   */
  static List<Field> parse(byte[] form, Charset charset, int maxFields, String what) {
    List<Field> fields = new ArrayList<>();
    int start = 0;
    int n = form.length;
    while (start <= n) {
      int end = start;
      while (end < n && form[end] != '&') {
        end++;
      }
      if (end > start) {
        if (fields.size() == maxFields) {
          throw new BadRequestException(
              400, "too many fields in " + what + ": at most " + maxFields);
        }
        int eq = start;
        while (eq < end && form[eq] != '=') {
          eq++;
        }
        String key = decode(form, start, eq, charset, what);
        String value = eq < end ? decode(form, eq + 1, end, charset, what) : null;
        fields.add(new Field(key, value));
      }
      start = end + 1;
    }
    return fields;
  }

  /** Decodes a raw (still percent-encoded) query string; null or empty has no fields. */
  static List<Field> parseQuery(@Nullable String query, int maxFields) {
    if (query == null || query.isEmpty()) {
      return List.of();
    }
    return parse(
        query.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, maxFields, "the query");
  }

  private static String decode(byte[] form, int from, int to, Charset charset, String what) {
    if (isPlainAscii(form, from, to) && asciiCompatible(charset)) {
      // Nearly every poll body: channel names and positions, ASCII without escapes. One string
      // and its bytes, instead of a buffer, a decoder and its buffers per field.
      return new String(form, from, to - from, StandardCharsets.ISO_8859_1);
    }
    // Escaped fields (a channel name with %2F, data with + for spaces): the bytes are decoded into
    // one array; if they are all ASCII they become the string directly, else the charset decodes
    // them strictly.
    byte[] bytes = new byte[to - from];
    int n = 0;
    boolean ascii = true;
    for (int i = from; i < to; i++) {
      byte b = form[i];
      if (b == '+') {
        b = ' ';
      } else if (b == '%') {
        int hi = i + 2 < to ? Character.digit(form[i + 1], 16) : -1;
        int lo = hi >= 0 ? Character.digit(form[i + 2], 16) : -1;
        if (lo < 0) {
          throw new BadRequestException(400, what + " is not valid URL encoding");
        }
        b = (byte) (hi * 16 + lo);
        i += 2;
      }
      ascii &= b >= 0;
      bytes[n++] = b;
    }
    if (ascii && asciiCompatible(charset)) {
      return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }
    try {
      return charset
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, n))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadRequestException(400, what + " is not valid " + charset.name());
    }
  }

  /** Whether the bytes are ASCII (each a character of its own) with no {@code +} or {@code %}. */
  private static boolean isPlainAscii(byte[] form, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = form[i];
      if (b < 0 || b == '+' || b == '%') {
        return false;
      }
    }
    return true;
  }

  /** Whether an ASCII byte is that character in the charset. */
  private static boolean asciiCompatible(Charset charset) {
    return charset.equals(StandardCharsets.UTF_8)
        || charset.equals(StandardCharsets.ISO_8859_1)
        || charset.equals(StandardCharsets.US_ASCII);
  }

  /** The media type of a {@code Content-Type} header, lower case, without parameters; or "". */
  static String mediaType(@Nullable String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  /**
   * The charset a {@code Content-Type} header names, or {@code fallback} when it names none.
   *
   * @throws BadRequestException 415 if the charset is unknown or its name illegal
   */
  static Charset charset(@Nullable String contentType, Charset fallback) {
    if (contentType == null) {
      return fallback;
    }
    int semi = contentType.indexOf(';');
    if (semi < 0) {
      return fallback;
    }
    if (contentType.length() == semi + UTF_8_PARAMETER.length()
        && contentType.regionMatches(true, semi, UTF_8_PARAMETER, 0, UTF_8_PARAMETER.length())) {
      return StandardCharsets.UTF_8; // what browsers send, read without splitting
    }
    String[] parts = contentType.split(";", -1);
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        String name = p.substring(eq + 1).trim();
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
          name = name.substring(1, name.length() - 1);
        }
        try {
          if (Charset.isSupported(name)) {
            return Charset.forName(name);
          }
        } catch (IllegalCharsetNameException e) {
          // answered below
        }
        throw new BadRequestException(
            415, "unsupported charset in Content-Type: " + Reasons.echo(name));
      }
    }
    return fallback;
  }
}
