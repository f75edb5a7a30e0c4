// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.messagebus.MessageBus;
import org.messagebus.micrometer.MessageBusMetrics;
import org.messagebus.observe.BusObserver;
import org.messagebus.observe.PublishOutcome;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The observation's own work, event by event, with a Micrometer registry bound (issue 15, item 4):
 * what a bound registry adds to a publish, its dispatch and an HTTP delivery, measured apart from
 * those operations. {@link SameThreadObserverBenchmark} times the whole in-process publish and
 * dispatch (about 600–900 ns) with and without a registry, but the same code runs 25 % faster or
 * slower from one fork to the next as the JIT compiles that long path differently, which hides a
 * difference of a few per cent; these events are short, compile the same way every time, and are
 * read to a nanosecond. The bus's observer is the one {@link MessageBusMetrics} registers (through
 * the bus's isolating wrapper, as the bus calls it); the HTTP counters are the two Micrometer
 * counters {@code HttpEngineMetrics} adds to once per fan-out.
 *
 * <ul>
 *   <li>{@code untimedPublish}: what an untimed publish adds — the sampling decision (a volatile
 *       read and a thread-local random number, as {@code PublishTiming} draws it) and the count;
 *   <li>{@code timedPublish}: what a timed one adds — two clock reads, the count and the timer;
 *   <li>{@code dispatch}: the dispatch counter;
 *   <li>{@code fanOutCounters}: the two counters one fan-out adds to (any number of clients);
 *   <li>{@code baseline}: an empty method, for the harness's own cost.
 * </ul>
 *
 * <p>{@code java -jar message-bus-benchmarks/target/benchmarks.jar ObservationCost}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ObservationCostBenchmark extends BenchmarkDefaults {

  private MessageBus bus;
  private MessageBusMetrics metrics;
  private BusObserver observer;
  private Counter deliveries;
  private Counter bytes;
  private volatile int stride = 64;

  /** Binds a registry to a memory bus and takes the bus's observer; makes the HTTP counters. */
  @Setup(Level.Trial)
  public void setUp() {
    bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    MeterRegistry registry = new SimpleMeterRegistry();
    metrics = MessageBusMetrics.bind(bus, registry);
    observer = bus.observer();
    deliveries = Counter.builder("messagebus.http.deliveries").register(registry);
    bytes = Counter.builder("messagebus.http.bytes").register(registry);
  }

  /** Unbinds and closes the bus. */
  @TearDown(Level.Trial)
  public void tearDown() {
    metrics.close();
    bus.close();
  }

  /**
   * An untimed publish's observation.
   *
   * @return whether it would have been timed (rarely)
   */
  @Benchmark
  public boolean untimedPublish() {
    int s = stride;
    boolean timed = s == 1 || (ThreadLocalRandom.current().nextInt() & (s - 1)) == 0;
    observer.published(PublishOutcome.OK, BusObserver.UNTIMED);
    return timed;
  }

  /**
   * A timed publish's observation (the publish itself taking no time).
   *
   * @return the time recorded
   */
  @Benchmark
  public long timedPublish() {
    long start = System.nanoTime();
    long nanos = System.nanoTime() - start;
    observer.published(PublishOutcome.OK, nanos);
    return nanos;
  }

  /** The dispatch thread's count of one message. */
  @Benchmark
  public void dispatch() {
    observer.dispatched();
  }

  /** One fan-out's counters: the messages and bytes it delivered, added once. */
  @Benchmark
  public void fanOutCounters() {
    deliveries.increment(100);
    bytes.increment(4_200);
  }

  /** Nothing: the harness's own cost per call. */
  @Benchmark
  public void baseline() {}
}
