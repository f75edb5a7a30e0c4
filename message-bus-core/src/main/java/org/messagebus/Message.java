package org.messagebus;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A decoded message, as subscribers and backlog reads see it (SPEC §1.3): its ids, its plain
 * channel (without site suffix), the published data after a JSON round trip, its site and its
 * targeting. Immutable.
 *
 * <p>Two messages are equal when their global id, message id, channel and data are equal.
 */
public final class Message {

  /** The channel of the synthetic status message sent to web clients. */
  public static final String STATUS_CHANNEL = "/__status";

  private final long globalId;
  private final long messageId;
  private final String channel;
  private final Object data;
  private final String siteId;
  private final List<Object> userIds;
  private final List<Object> groupIds;
  private final List<Object> clientIds;

  /**
   * Creates a message.
   *
   * @param globalId the id in the store-wide sequence
   * @param messageId the id within the channel
   * @param channel the plain channel, not null
   * @param data the data, may be null
   * @param siteId the site, or null
   * @param userIds the user targeting, or null (no restriction)
   * @param groupIds the group targeting, or null (no restriction)
   * @param clientIds the client targeting, or null (no restriction)
   */
  public Message(
      long globalId,
      long messageId,
      String channel,
      Object data,
      String siteId,
      List<Object> userIds,
      List<Object> groupIds,
      List<Object> clientIds) {
    this.globalId = globalId;
    this.messageId = messageId;
    this.channel = Objects.requireNonNull(channel, "channel");
    this.data = data;
    this.siteId = siteId;
    this.userIds = userIds == null ? List.of() : userIds;
    this.groupIds = groupIds == null ? List.of() : groupIds;
    this.clientIds = clientIds == null ? List.of() : clientIds;
  }

  /**
   * Creates the {@code /__status} message that tells a web client where its channels stand.
   *
   * @param positions channel to current message id, in the order to send
   * @return a message with ids -1 and the positions as data
   */
  public static Message status(Map<String, Long> positions) {
    return new Message(-1, -1, STATUS_CHANNEL, positions, null, null, null, null);
  }

  /**
   * Returns the id in the store-wide sequence (-1 for a status message).
   *
   * @return the global id
   */
  public long globalId() {
    return globalId;
  }

  /**
   * Returns the id within the channel's backlog (-1 for a status message).
   *
   * @return the message id
   */
  public long messageId() {
    return messageId;
  }

  /**
   * Returns the plain channel, without site suffix.
   *
   * @return the channel
   */
  public String channel() {
    return channel;
  }

  /**
   * Returns the data: what was published, after a JSON round trip (maps, lists, strings, {@code
   * Long}, {@code Double}, {@code Boolean}, null).
   *
   * @return the data, may be null
   */
  public Object data() {
    return data;
  }

  /**
   * Returns the site the message was published for.
   *
   * @return the site id, or null
   */
  public String siteId() {
    return siteId;
  }

  /**
   * Returns the users allowed to see the message; empty means no user restriction.
   *
   * @return an unmodifiable list of user ids (JSON numbers as {@code Long}, or strings)
   */
  public List<Object> userIds() {
    return userIds;
  }

  /**
   * Returns the groups allowed to see the message; empty means no group restriction.
   *
   * @return an unmodifiable list of group ids
   */
  public List<Object> groupIds() {
    return groupIds;
  }

  /**
   * Returns the web clients allowed to see the message; empty means no client restriction.
   *
   * @return an unmodifiable list of client ids
   */
  public List<Object> clientIds() {
    return clientIds;
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
