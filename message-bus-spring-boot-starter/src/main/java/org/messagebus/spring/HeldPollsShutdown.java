// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.springframework.context.SmartLifecycle;

/**
 * Drains the endpoint ({@link MessageBusDrain#drain()}) when the application context stops, before
 * the web server's graceful shutdown waits for active requests: a held poll is an active request
 * for up to the long-polling interval, so without this the shutdown would wait that long (or until
 * its own timeout). Held polls are answered at once; polls arriving afterwards get 503 with {@code
 * Retry-After}, and clients poll again on another instance.
 */
final class HeldPollsShutdown implements SmartLifecycle {

  private final MessageBusDrain drain;
  private volatile boolean running;

  HeldPollsShutdown(MessageBusDrain drain) {
    this.drain = drain;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    drain.drain();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops in the first phase, before the web server's graceful shutdown (a lower phase). */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }
}
