// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.jspecify.annotations.Nullable;

/**
 * Hides credentials in connection URLs before they reach a log line or an error message: the user
 * information of {@code scheme://user:password@host} (everything up to the last {@code @} before
 * the query, so a password with {@code /} or {@code @} in it is hidden too) and the value of every
 * {@code password=} parameter ({@code sslpassword=} included), whatever the scheme ({@code redis},
 * {@code rediss}, {@code redis-sentinel}, {@code jdbc:postgresql}, or a URL missing its {@code
 * jdbc:} prefix).
 */
final class Redaction {

  private Redaction() {}

  static @Nullable String url(@Nullable String url) {
    return url == null ? null : redactUrl(url);
  }

  static String redactUrl(String url) {
    String s = url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    int slashes = s.indexOf("//");
    if (slashes < 0) {
      return s;
    }
    int start = slashes + 2;
    int end = s.length();
    for (char c : new char[] {'?', '#'}) {
      int i = s.indexOf(c, start);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    int at = s.lastIndexOf('@', end - 1);
    if (at < start) {
      return s;
    }
    return s.substring(0, start) + "***" + s.substring(at);
  }

  /**
   * Hides the credentials of every URL in a text (a builder's error message that quotes the URL it
   * rejected): each whitespace-separated word with {@code //} or {@code password=} in it.
   */
  static String text(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      int end = i;
      while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
        end++;
      }
      String word = text.substring(i, end);
      boolean url =
          word.contains("//") || word.toLowerCase(java.util.Locale.ROOT).contains("password=");
      out.append(url ? url(word) : word);
      while (end < text.length() && Character.isWhitespace(text.charAt(end))) {
        out.append(text.charAt(end));
        end++;
      }
      i = end;
    }
    return out.toString();
  }
}
