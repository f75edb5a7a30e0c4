// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.ChannelNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps between what the API speaks (a plain channel and a site) and what the backend stores (an
 * encoded channel, {@code channel$|$site}, SPEC §1.1; {@code /global/} channels and single-site
 * buses without a site lookup store the plain channel), and decodes stored messages into {@link
 * Message}s. Thread-safe; the site lookup is called on the caller's thread.
 */
final class SiteChannels {

  private static final Logger LOG = LoggerFactory.getLogger(SiteChannels.class);

  private final TransportCodec codec;
  private final @Nullable Supplier<String> siteIdLookup;
  private final BusErrors errors;

  SiteChannels(TransportCodec codec, @Nullable Supplier<String> siteIdLookup, BusErrors errors) {

    this.codec = codec;
    this.siteIdLookup = siteIdLookup;
    this.errors = errors;
  }

  /**
   * Rejects a channel the API does not accept.
   *
   * @throws IllegalArgumentException if it is null, empty or contains {@code $|$}
   */
  static void requireChannel(String channel) {
    if (channel == null || channel.isEmpty()) {
      throw new IllegalArgumentException("channel must not be null or empty");
    }
    if (channel.contains(ChannelNames.SITE_SEPARATOR)) {
      throw new IllegalArgumentException("channel must not contain $|$: " + channel);
    }
  }

  /** The site the lookup answers now, or null without a lookup. */
  @Nullable String currentSiteId() {
    return siteIdLookup == null ? null : siteIdLookup.get();
  }

  /** The site of a local subscription to a channel: none for a global channel. */
  @Nullable String localSite(String channel) {
    return ChannelNames.isGlobal(channel) ? null : currentSiteId();
  }

  /** The given site, else the lookup's (null without a lookup). */
  @Nullable String siteOrCurrent(@Nullable String siteId) {
    return siteId != null ? siteId : currentSiteId();
  }

  /** Encodes a channel for a site (null: the lookup's) as SPEC §1.1 says. */
  String encode(String channel, @Nullable String siteId) {
    if (siteId == null && siteIdLookup == null) {
      return channel;
    }
    return ChannelNames.withSite(channel, siteOrCurrent(siteId));
  }

  /**
   * Decodes a stored message: the envelope with the codec, the plain channel and site from the
   * encoded channel.
   *
   * @throws RuntimeException whatever the codec throws for an undecodable payload
   */
  Message decode(BackendMessage raw) {
    Envelope env = codec.decode(raw.payload());
    String channel = ChannelNames.channelOf(raw.channel());
    String site = ChannelNames.isGlobal(channel) ? null : ChannelNames.siteOf(raw.channel());
    return new Message(
        raw.globalId(),
        raw.messageId(),
        channel,
        env.data(),
        site,
        orEmpty(env.userIds()),
        orEmpty(env.groupIds()),
        orEmpty(env.clientIds()));
  }

  private static List<Object> orEmpty(@Nullable List<Object> ids) {
    return ids == null ? List.of() : ids;
  }

  /** Decodes a stored message, or logs and reports it and returns null if it cannot be. */
  @Nullable Message decodeOrSkip(BackendMessage raw) {

    try {
      return decode(raw);
    } catch (RuntimeException e) {
      LOG.warn("cannot decode message {} on {}, skipping", raw.globalId(), raw.channel(), e);
      errors.background(e);
      return null;
    }
  }

  /** Decodes stored messages, skipping (and reporting) those that cannot be. */
  List<Message> decodeAll(List<BackendMessage> raw) {
    List<Message> result = new ArrayList<>(raw.size());
    for (BackendMessage r : raw) {
      Message m = decodeOrSkip(r);
      if (m != null) {
        result.add(m);
      }
    }
    return result;
  }
}
