// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.Subscription;
import org.messagebus.micrometer.MessageBusMetrics;

/**
 * A bus with its benchmark subscription, observed as the metrics benchmarks' {@code observer}
 * parameter says: {@code none} (no observer), {@code unbound} (a {@link MessageBusMetrics} bound,
 * then closed: the hook back to its no-op) or {@code registry} (bound to a {@link
 * SimpleMeterRegistry}). Closing it closes the binding, the subscription and the bus.
 */
final class ObservedBus implements AutoCloseable {

  final MessageBus bus;
  private final Subscription subscription;
  private @Nullable MessageBusMetrics metrics;

  ObservedBus(MessageBus bus, Subscription subscription, String observer) {
    this.bus = bus;
    this.subscription = subscription;
    if (!observer.equals("none")) {
      metrics = MessageBusMetrics.bind(bus, new SimpleMeterRegistry());
      if (observer.equals("unbound")) {
        metrics.close();
        metrics = null;
      }
    }
  }

  @Override
  public void close() {
    if (metrics != null) {
      metrics.close();
    }
    subscription.unsubscribe();
    bus.close();
  }
}
