// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import java.time.Duration;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;

/**
 * Runs the bus contract over {@link MemoryBackend}, on a clock that {@link #ageStore} moves (see
 * {@link MemoryBackendContractTest}).
 */
class MemoryMessageBusContractTest extends MessageBusContractTest {

  private final ManualClock clock = new ManualClock();

  @Override
  protected Backend createBackend() {
    return MemoryBackend.builder().clock(clock).expiryInterval(Duration.ofMillis(10)).build();
  }

  @Override
  protected void ageStore(Backend backend, Duration by) {
    clock.advance(by);
  }
}
