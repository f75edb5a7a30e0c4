// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A decoded message, as subscribers and backlog reads see it (SPEC §1.3): its ids, its plain
 * channel (without site suffix), the published data after a JSON round trip, its site and its
 * targeting. Immutable.
 *
 * <p>Two messages are equal when their global id, message id, channel and data are equal.
 *
 * @param globalId the id in the store-wide sequence (-1 for a status message)
 * @param messageId the id within the channel's backlog (-1 for a status message)
 * @param channel the plain channel, without site suffix; not null
 * @param data the data: what was published, after a JSON round trip (maps, lists, strings, {@code
 *     Long}, {@code Double}, {@code Boolean}, null)
 * @param siteId the site the message was published for, or null
 * @param userIds the users allowed to see the message, as an unmodifiable list of ids (JSON numbers
 *     as {@code Long}, or strings); empty means no user restriction (null is taken as empty)
 * @param groupIds the groups allowed to see the message; empty (or null) means no group restriction
 * @param clientIds the web clients allowed to see the message; empty (or null) means no client
 *     restriction
 */
public record Message(
    long globalId,
    long messageId,
    String channel,
    @Nullable Object data,
    @Nullable String siteId,
    List<Object> userIds,
    List<Object> groupIds,
    List<Object> clientIds) {

  /** The channel of the synthetic status message sent to web clients. */
  public static final String STATUS_CHANNEL = "/__status";

  /**
   * Creates a message; null targeting lists become empty ones.
   *
   * @param globalId see the record component
   * @param messageId see the record component
   * @param channel see the record component
   * @param data see the record component
   * @param siteId see the record component
   * @param userIds see the record component
   * @param groupIds see the record component
   * @param clientIds see the record component
   * @throws NullPointerException if {@code channel} is null
   */
  public Message {
    Objects.requireNonNull(channel, "channel");
    userIds = userIds == null ? List.of() : userIds;
    groupIds = groupIds == null ? List.of() : groupIds;
    clientIds = clientIds == null ? List.of() : clientIds;
  }

  /**
   * Creates the {@code /__status} message that tells a web client where its channels stand.
   *
   * @param positions channel to current message id, in the order to send
   * @return a message with ids -1 and the positions as data
   */
  public static Message status(Map<String, Long> positions) {
    return new Message(-1, -1, STATUS_CHANNEL, positions, null, List.of(), List.of(), List.of());
  }

  /**
   * Tells whether this is the synthetic {@code /__status} message.
   *
   * @return true for a status message
   */
  public boolean isStatus() {
    return globalId == -1 && STATUS_CHANNEL.equals(channel);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message m
        && globalId == m.globalId
        && messageId == m.messageId
        && channel.equals(m.channel)
        && Objects.equals(data, m.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(globalId, messageId, channel, data);
  }

  @Override
  public String toString() {
    return "Message{globalId="
        + globalId
        + ", messageId="
        + messageId
        + ", channel="
        + channel
        + (siteId == null ? "" : ", siteId=" + siteId)
        + ", data="
        + data
        + '}';
  }
}
