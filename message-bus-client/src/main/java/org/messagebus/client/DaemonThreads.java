// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's threads: daemons, numbered per JVM so that each client's are told apart. Not core's
 * {@code org.messagebus.spi.DaemonThreads}: the client depends on no server module (its pom
 * enforces that), so it keeps these few lines of its own.
 */
final class DaemonThreads {

  private static final AtomicInteger IDS = new AtomicInteger();

  private DaemonThreads() {}

  /**
   * Returns a fresh number for a family of threads.
   *
   * @return 1, 2, 3, ... across the JVM
   */
  static int nextId() {
    return IDS.incrementAndGet();
  }

  /**
   * Returns a factory of daemon threads all named {@code name}.
   *
   * @param name the name
   * @return the factory
   */
  static ThreadFactory named(String name) {
    return r -> newThread(r, name);
  }

  /**
   * Creates a daemon thread.
   *
   * @param task what it runs
   * @param name its name
   * @return the thread, not started
   */
  static Thread newThread(Runnable task, String name) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    return t;
  }
}
