package org.messagebus;

import java.util.List;

/**
 * What the bus stores for each message (SPEC §1.4): the user's data and its targeting, encoded by
 * the {@link TransportCodec} as an object with the keys {@code data}, {@code user_ids}, {@code
 * group_ids} and {@code client_ids}, in that order.
 *
 * @param data the published value (on the decoding side: a JSON value as plain Java objects)
 * @param userIds the users allowed to receive the message, or null for everyone
 * @param groupIds the groups allowed to receive the message, or null for everyone
 * @param clientIds the web clients allowed to receive the message, or null for everyone
 */
public record Envelope(
    Object data, List<Object> userIds, List<Object> groupIds, List<Object> clientIds) {}
