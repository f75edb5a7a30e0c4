// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/** The meters one binder registered in one registry, so that closing the binder removes them. */
final class MeterSet {

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();

  MeterSet(MeterRegistry registry) {
    this.registry = registry;
  }

  <M extends Meter> M add(M meter) {
    synchronized (meters) {
      meters.add(meter);
    }
    return meter;
  }

  void removeAll() {
    synchronized (meters) {
      for (Meter m : meters) {
        registry.remove(m);
      }
      meters.clear();
    }
  }
}
