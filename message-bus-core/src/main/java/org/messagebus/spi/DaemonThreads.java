// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the bus, its backends and transports create their threads: platform daemon threads (a
 * forgotten bus never keeps the JVM alive) named {@code <family>-<n>}, where {@code n} counts 1, 2,
 * 3, ... per family across the JVM, so that thread dumps and tests can tell every bus's threads
 * apart by name (for example {@code message-bus-timer-3}). A throwable that escapes a thread's task
 * is logged through SLF4J (this class's logger, at ERROR) instead of being printed to standard
 * error.
 *
 * <p>Family names in use: {@code message-bus-timer} (the bus's background thread), {@code
 * message-bus-memory-expiry}, {@code message-bus-memory-subscriber}, and the Redis, PostgreSQL and
 * HTTP families of their modules. Thread-safe; all methods are static.
 */
public final class DaemonThreads {

  private static final Logger LOG = LoggerFactory.getLogger(DaemonThreads.class);
  private static final ConcurrentHashMap<String, AtomicInteger> COUNTERS =
      new ConcurrentHashMap<>();

  private DaemonThreads() {}

  /**
   * Creates a daemon thread named {@code family-n} with the next number of its family. The thread
   * is not started.
   *
   * @param family the name prefix, e.g. {@code message-bus-redis-subscriber}
   * @param task what the thread runs
   * @return the new, unstarted thread
   * @throws NullPointerException if an argument is null
   */
  public static Thread newThread(String family, Runnable task) {
    Objects.requireNonNull(task, "task");
    Thread t = new Thread(task, nextName(family));
    t.setDaemon(true);
    t.setUncaughtExceptionHandler(
        (thread, error) -> LOG.error("uncaught failure in thread {}", thread.getName(), error));
    return t;
  }

  /**
   * Returns a factory of such threads, each named with the next number of the family: for
   * executors.
   *
   * @param family the name prefix
   * @return the factory
   * @throws NullPointerException if {@code family} is null
   */
  public static ThreadFactory factory(String family) {
    Objects.requireNonNull(family, "family");
    return task -> newThread(family, task);
  }

  /**
   * Creates a scheduled executor running on one such thread (created when the first task is
   * submitted). The caller owns it and shuts it down.
   *
   * @param family the name prefix of its thread
   * @return the executor
   * @throws NullPointerException if {@code family} is null
   */
  public static ScheduledExecutorService singleThreadScheduler(String family) {
    return Executors.newSingleThreadScheduledExecutor(factory(family));
  }

  private static String nextName(String family) {
    Objects.requireNonNull(family, "family");
    return family
        + "-"
        + COUNTERS.computeIfAbsent(family, f -> new AtomicInteger()).incrementAndGet();
  }
}
