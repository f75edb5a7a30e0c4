// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every {@link BackendSubscription} shares: the closed state, with a {@link #close()} that is
 * idempotent and thread-safe and runs the backend's own clean-up ({@link #onClose()}) exactly once
 * even when threads race, and {@link #deliver}, which hands a message to the listener unless the
 * subscription is closed and logs (and skips) a message the listener fails on.
 */
public abstract class AbstractBackendSubscription implements BackendSubscription {

  private final Logger log = LoggerFactory.getLogger(getClass());
  private final AtomicBoolean closed = new AtomicBoolean();
  private final BackendListener listener;

  /**
   * For subclasses.
   *
   * @param listener where {@link #deliver} hands messages
   */
  protected AbstractBackendSubscription(BackendListener listener) {
    this.listener = listener;
  }

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

  /**
   * Hands a message to the listener, unless the subscription is closed. A listener that throws is
   * logged at WARN and the message skipped: the subscription goes on with the next one.
   *
   * @param message the message
   */
  protected final void deliver(BackendMessage message) {
    if (isClosed()) {
      return;
    }
    try {
      listener.onMessage(message);
    } catch (RuntimeException e) {
      log.warn("subscriber failed on message {}, skipping", message.globalId(), e);
    }
  }
}
