// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import java.time.Duration;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;
import org.messagebus.spi.Retention;

/**
 * Runs the backend contract against {@link MemoryBackend}. The backends of a test share a clock
 * that {@link #ageStore} moves; their expiry timers run every 10 ms, so aged channels go at once.
 */
class MemoryBackendContractTest extends BackendContractTest {

  private final ManualClock clock = new ManualClock();

  @Override
  protected Backend createBackend(Retention retention) {
    return MemoryBackend.builder()
        .retention(retention)
        .clock(clock)
        .expiryInterval(Duration.ofMillis(10))
        .build();
  }

  @Override
  protected void ageStore(Backend backend, Duration by) {
    clock.advance(by);
  }
}
