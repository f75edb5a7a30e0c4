// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.messagebus.spi.Backend;

/**
 * What the parts of one bus share: its backend, dispatcher, channel encoding, background thread,
 * closed flag, error reporting and retry interval. Built once by the {@link MessageBus} facade and
 * handed to {@link Keepalive}, {@link Firehose} and {@link SubscriptionReplay}.
 *
 * @param backend the bus's backend
 * @param dispatcher routes the firehose's messages
 * @param channels encodes channels with sites and decodes stored messages
 * @param background the bus's background thread and scheduler
 * @param closed whether the bus is closed
 * @param errors the application's error listener, each call isolated
 * @param retryInterval how long the background thread waits before retrying work the store refused
 */
record BusContext(
    Backend backend,
    Dispatcher dispatcher,
    SiteChannels channels,
    BackgroundWork background,
    BooleanSupplier closed,
    BusErrors errors,
    Duration retryInterval) {

  boolean isClosed() {
    return closed.getAsBoolean();
  }
}
