// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

/**
 * What the server reported lost on one subscribed channel (its loss signal, see docs/http.md): the
 * message ids {@code from} to {@code to} (inclusive) are gone, trimmed from the backlog before this
 * client read them.
 *
 * @param channel the channel
 * @param from the first lost id
 * @param to the last lost id
 * @param reset true when the channel's ids restarted (the store was reset or the channel expired):
 *     what followed the client's old position is unknown, the client reads the channel again from
 *     the start of its new numbering, and {@code from}..{@code to} is what that numbering lost
 *     ({@code to < from}: nothing)
 */
public record ClientLoss(String channel, long from, long to, boolean reset) {}
