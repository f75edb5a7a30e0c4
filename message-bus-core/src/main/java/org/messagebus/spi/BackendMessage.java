// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.util.Objects;

/**
 * A message as a backend stores and announces it: the encoded channel (with its site suffix, see
 * {@link ChannelNames}) and the encoded envelope string, undecoded.
 *
 * <p>The stored form (SPEC §1.5, byte-compatible with Ruby {@code message_bus}) is {@code
 * <global_id>|<message_id>|<escaped channel>|<payload>}, where every {@code |} in the channel is
 * written as {@code $$123$$} and the payload may itself contain pipes.
 *
 * @param globalId the id in the store-wide sequence, starting at 1
 * @param messageId the id within the channel backlog (equal to {@code globalId} in the memory and
 *     PostgreSQL backends)
 * @param channel the encoded channel, never null
 * @param payload the encoded envelope, never null
 */
public record BackendMessage(long globalId, long messageId, String channel, String payload) {

  /** The pipe escape used in encoded channels. */
  static final String PIPE_ESCAPE = "$$123$$";

  /**
   * Validates the components.
   *
   * @param globalId see the record component
   * @param messageId see the record component
   * @param channel see the record component
   * @param payload see the record component
   * @throws NullPointerException if {@code channel} or {@code payload} is null
   */
  public BackendMessage {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * Returns the stored form {@code gid|mid|escaped channel|payload}.
   *
   * @return the encoded message
   */
  public String encode() {
    String escaped = escapeChannel(channel);
    StringBuilder sb = new StringBuilder(24 + escaped.length() + payload.length());
    return sb.append(globalId)
        .append('|')
        .append(messageId)
        .append('|')
        .append(escaped)
        .append('|')
        .append(payload)
        .toString();
  }

  /**
   * Returns {@code escaped channel|payload}: the form without ids that the Redis publish script
   * receives and prefixes with the ids it allocates.
   *
   * @param channel the encoded channel
   * @param payload the envelope
   * @return the encoded message without ids
   */
  public static String encodeWithoutIds(String channel, String payload) {
    return escapeChannel(channel) + '|' + payload;
  }

  /**
   * Parses the stored form. The first two fields are read as leading integers (as Ruby's {@code
   * to_i} does), the third is un-escaped and everything after the third pipe is the payload.
   *
   * @param encoded the stored form
   * @return the message
   * @throws IllegalArgumentException if {@code encoded} has fewer than three pipes
   */
  public static BackendMessage decode(String encoded) {
    Objects.requireNonNull(encoded, "encoded");
    int p1 = encoded.indexOf('|');
    int p2 = p1 < 0 ? -1 : encoded.indexOf('|', p1 + 1);
    int p3 = p2 < 0 ? -1 : encoded.indexOf('|', p2 + 1);
    if (p3 < 0) {
      throw new IllegalArgumentException(
          "encoded message must have the form gid|mid|channel|payload: " + abbreviate(encoded));
    }
    long gid = leadingLong(encoded, 0, p1);
    long mid = leadingLong(encoded, p1 + 1, p2);
    String channel = unescapeChannel(encoded.substring(p2 + 1, p3));
    return new BackendMessage(gid, mid, channel, encoded.substring(p3 + 1));
  }

  /**
   * Replaces every {@code |} in an encoded channel with {@code $$123$$}.
   *
   * @param channel the encoded channel
   * @return the escaped channel
   */
  public static String escapeChannel(String channel) {
    return channel.indexOf('|') < 0 ? channel : channel.replace("|", PIPE_ESCAPE);
  }

  /**
   * Replaces every {@code $$123$$} in an escaped channel with {@code |}.
   *
   * @param escaped the escaped channel
   * @return the encoded channel
   */
  public static String unescapeChannel(String escaped) {
    return escaped.indexOf(PIPE_ESCAPE) < 0 ? escaped : escaped.replace(PIPE_ESCAPE, "|");
  }

  /** Ruby's {@code String#to_i}: optional whitespace and sign, leading digits, else 0. */
  static long leadingLong(String s, int from, int to) {
    int i = from;
    while (i < to && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    boolean negative = false;
    if (i < to && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    long value = 0;
    while (i < to) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
      i++;
    }
    return negative ? -value : value;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
