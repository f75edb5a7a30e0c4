// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import org.jspecify.annotations.Nullable;

/**
 * A message received from a message_bus endpoint.
 *
 * @param channel the channel
 * @param data the data as plain Java objects (maps, lists, strings, {@code Long}, {@code Double},
 *     {@code Boolean}, null)
 * @param globalId the id in the server's store-wide sequence
 * @param messageId the id within the channel
 */
public record ClientMessage(String channel, @Nullable Object data, long globalId, long messageId) {}
