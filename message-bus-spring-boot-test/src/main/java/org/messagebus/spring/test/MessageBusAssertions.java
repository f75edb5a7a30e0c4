// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring.test;

import org.messagebus.MessageBus;

/**
 * Entry point of the AssertJ assertions on a {@link MessageBus}:
 *
 * <pre>{@code
 * import static org.messagebus.spring.test.MessageBusAssertions.assertThat;
 *
 * assertThat(bus).channel("/orders").receivedMessage(Map.of("id", "42"));
 * assertThat(bus).channel("/orders").within(Duration.ofSeconds(5)).receivedMessage(order);
 * assertThat(bus).channel("/audit").hasNoMessages();
 * }</pre>
 */
public final class MessageBusAssertions {

  private MessageBusAssertions() {}

  /**
   * Starts assertions on a bus.
   *
   * @param bus the bus, e.g. the auto-configured bean
   * @return the assertions
   */
  public static MessageBusAssert assertThat(MessageBus bus) {
    return new MessageBusAssert(bus);
  }
}
