// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.messagebus.testkit.ForwardingBackend;

/**
 * A memory backend that runs a test's action once, right after the next {@code lastIds} read: a
 * publish landing between a poll's read of the channels' positions and its read of their backlogs,
 * deterministically (on Redis the window is a round trip).
 */
final class RacingBackend extends ForwardingBackend {

  private final AtomicReference<Runnable> afterLastIds = new AtomicReference<>();

  /** Runs {@code action} once, after the next {@code lastIds} read has taken its values. */
  void afterNextLastIds(Runnable action) {
    afterLastIds.set(action);
  }

  /** Whether the armed action has run. */
  boolean fired() {
    return afterLastIds.get() == null;
  }

  @Override
  public long[] lastIds(List<String> channels) {
    long[] ids = delegate.lastIds(channels);
    Runnable action = afterLastIds.getAndSet(null);
    if (action != null) {
      action.run();
    }
    return ids;
  }
}
