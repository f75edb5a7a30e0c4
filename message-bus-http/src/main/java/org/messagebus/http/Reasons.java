// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

/**
 * The one place where text the client controls (a channel name, a charset name, a parser's message
 * quoting the body) is made fit for a reason: the one-line plain-text body of a 4xx. Anyone can
 * send anything, so a value is never copied as is:
 *
 * <ul>
 *   <li>control characters (C0, DEL, C1, which include CR, LF and NEL), the Unicode line and
 *       paragraph separators and unpaired surrogates are escaped ({@code \r}, {@code \n}, {@code
 *       \t}, otherwise {@code \}{@code uXXXX}), so a reason stays one line and valid UTF-8;
 *   <li>a long value is cut after {@value #MAX_ECHO} code points (never inside a surrogate pair)
 *       and ends in {@code ...}.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class Reasons {

  /** How many code points of a client's value a reason repeats: {@value}. */
  public static final int MAX_ECHO = 60;

  private Reasons() {}

  /**
   * A client's value, escaped and abbreviated to {@value #MAX_ECHO} code points, for a reason.
   *
   * @param value the value
   * @return the escaped value
   */
  public static String echo(String value) {
    return oneLine(value, MAX_ECHO);
  }

  /**
   * Text made one line: escaped as {@link #echo} does and cut after {@code max} code points.
   *
   * @param text the text; null is {@code "null"}
   * @param max the number of code points kept, at least 1
   * @return the one-line text
   */
  public static String oneLine(String text, int max) {
    String s = String.valueOf(text);
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max) + 8);
    int kept = 0;
    for (int i = 0; i < s.length(); ) {
      if (kept == max) {
        sb.append("...");
        break;
      }
      int cp = s.codePointAt(i);
      appendEscaped(sb, cp);
      i += Character.charCount(cp);
      kept++;
    }
    return sb.toString();
  }

  private static void appendEscaped(StringBuilder sb, int cp) {
    switch (cp) {
      case '\r' -> sb.append("\\r");
      case '\n' -> sb.append("\\n");
      case '\t' -> sb.append("\\t");
      default -> {
        if (Character.isISOControl(cp)
            || cp == '\u2028'
            || cp == '\u2029'
            || (cp <= Character.MAX_VALUE && Character.isSurrogate((char) cp))) {
          sb.append(String.format("\\u%04X", cp));
        } else {
          sb.appendCodePoint(cp);
        }
      }
    }
  }
}
