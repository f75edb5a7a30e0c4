// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring.test;

import org.assertj.core.api.AbstractAssert;
import org.messagebus.MessageBus;

/** Assertions on a {@link MessageBus}; start with {@link MessageBusAssertions#assertThat}. */
public final class MessageBusAssert extends AbstractAssert<MessageBusAssert, MessageBus> {

  MessageBusAssert(MessageBus bus) {
    super(bus, MessageBusAssert.class);
  }

  /**
   * Moves on to what one channel received (its backlog, as the bus stores it).
   *
   * @param channel the channel, e.g. {@code /orders}
   * @return assertions on the channel
   */
  public ChannelAssert channel(String channel) {
    isNotNull();
    return new ChannelAssert(actual, channel);
  }
}
