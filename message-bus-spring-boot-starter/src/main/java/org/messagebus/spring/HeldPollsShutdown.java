package org.messagebus.spring;

import org.messagebus.servlet.MessageBusFilter;
import org.springframework.context.SmartLifecycle;

/**
 * Answers every held poll when the application context stops, before the web server's graceful
 * shutdown waits for active requests: a held poll is an active request for up to the long-polling
 * interval, so without this the shutdown would wait that long (or until its own timeout). Stopping
 * closes the filter for good; polls arriving afterwards are answered at once, and clients reconnect
 * to another instance.
 */
final class HeldPollsShutdown implements SmartLifecycle {

  private final MessageBusFilter filter;
  private volatile boolean running;

  HeldPollsShutdown(MessageBusFilter filter) {
    this.filter = filter;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    filter.close();
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
