// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.List;
import org.jspecify.annotations.Nullable;

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
    @Nullable Object data,
    @Nullable List<Object> userIds,
    @Nullable List<Object> groupIds,
    @Nullable List<Object> clientIds) {}
