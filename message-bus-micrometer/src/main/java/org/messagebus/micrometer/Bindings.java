// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a binder did in each registry it was bound to, so that closing it undoes all of it: the
 * meters it registered ({@link MeterSet}) and what else it hooked up (observers, listeners).
 * Thread-safe: binding and closing are serialised.
 */
final class Bindings {

  // One entry per bind; guarded by itself.
  private final List<Runnable> undo = new ArrayList<>();

  /**
   * Binds to one registry.
   *
   * @param registry the registry
   * @param bind registers the meters in the set it is given and hooks the binder up; returns what
   *     undoes the hooks (the meters are removed anyway)
   */
  void bind(MeterRegistry registry, Function<MeterSet, Runnable> bind) {
    Objects.requireNonNull(registry, "registry");
    synchronized (undo) {
      MeterSet set = new MeterSet(registry);
      Runnable unhook = bind.apply(set);
      undo.add(
          () -> {
            unhook.run();
            set.removeAll();
          });
    }
  }

  /** Undoes every binding. Idempotent. */
  void close() {
    synchronized (undo) {
      undo.forEach(Runnable::run);
      undo.clear();
    }
  }
}
