// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The closed state every {@link BackendSubscription} keeps: {@link #isClosed()}, and a {@link
 * #close()} that is idempotent and thread-safe and runs the backend's own clean-up exactly once,
 * even when two threads close at the same time. A backend's subscription extends it and says in
 * {@link #onClose()} what closing releases.
 */
public abstract class ClosingSubscription implements BackendSubscription {

  private final AtomicBoolean closed = new AtomicBoolean();

  /** For subclasses. */
  protected ClosingSubscription() {}

  @Override
  public final boolean isClosed() {
    return closed.get();
  }

  @Override
  public final void close() {
    if (closed.compareAndSet(false, true)) {
      onClose();
    }
  }

  /**
   * Releases what the subscription holds and wakes its thread; called once, by the first {@link
   * #close()}, after {@link #isClosed()} has become true.
   */
  protected abstract void onClose();
}
