// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import java.time.Duration;

/** Counts the publishes of a scenario and lets a subscriber wait for the next one. */
final class PublishClock {

  private long count;

  synchronized long count() {
    return count;
  }

  synchronized void tick() {
    count++;
    notifyAll();
  }

  /** Waits until more than {@code seen} publishes happened, or {@code atMost} passed. */
  synchronized void awaitAfter(long seen, Duration atMost) throws InterruptedException {
    long end = System.nanoTime() + atMost.toNanos();
    long left;
    while (count <= seen && (left = end - System.nanoTime()) > 0) {
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
