// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Channel naming rules shared by the bus and every backend (SPEC §1.1): {@code /global/} channels
 * and the multisite suffix {@code $|$<site>}.
 */
public final class ChannelNames {

  /** The literal prefix of a global channel, which never carries a site suffix. */
  public static final String GLOBAL_PREFIX = "/global/";

  /** The separator between a channel and its site in an encoded channel. */
  public static final String SITE_SEPARATOR = "$|$";

  private ChannelNames() {}

  /**
   * Tells whether a channel is global: it starts with {@code /global/} (case-sensitive).
   *
   * @param channel a plain channel
   * @return true for a global channel
   */
  public static boolean isGlobal(String channel) {
    return channel.startsWith(GLOBAL_PREFIX);
  }

  /**
   * Appends the site suffix. A global channel is returned unchanged; a null site is written as the
   * empty string ({@code /foo$|$}), exactly as Ruby does, so both share storage keys.
   *
   * @param channel a plain channel, not containing {@code $|$}
   * @param site the site, may be null
   * @return the encoded channel
   */
  public static String withSite(String channel, @Nullable String site) {
    if (isGlobal(channel)) {
      return channel;
    }
    return channel + SITE_SEPARATOR + (site == null ? "" : site);
  }

  /**
   * Returns the plain channel of an encoded channel (the text before the first {@code $|$}).
   *
   * @param encoded an encoded channel
   * @return the plain channel
   */
  public static String channelOf(String encoded) {
    int i = encoded.indexOf(SITE_SEPARATOR);
    return i < 0 ? encoded : encoded.substring(0, i);
  }

  /**
   * Returns the site of an encoded channel, or null when it has none or an empty one.
   *
   * @param encoded an encoded channel
   * @return the site id or null
   */
  public static @Nullable String siteOf(String encoded) {

    Objects.requireNonNull(encoded, "encoded");
    int i = encoded.indexOf(SITE_SEPARATOR);
    if (i < 0) {
      return null;
    }
    int start = i + SITE_SEPARATOR.length();
    int end = encoded.indexOf(SITE_SEPARATOR, start);
    String site = end < 0 ? encoded.substring(start) : encoded.substring(start, end);
    return site.isEmpty() ? null : site;
  }
}
