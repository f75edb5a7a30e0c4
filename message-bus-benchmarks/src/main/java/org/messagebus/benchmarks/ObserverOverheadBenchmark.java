// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.messagebus.MessageBus;
import org.messagebus.micrometer.MessageBusMetrics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What metrics cost a publish and its dispatch (issue 15): the memory bus of {@link
 * PublishDispatchBenchmark} with no observer ({@code none}: every event site reads one field and
 * returns), with the hook unbound ({@code unbound}: a {@link MessageBusMetrics} bound, then closed,
 * so the bus is back to its no-op observer) and with a {@link MessageBusMetrics} bound to a {@link
 * SimpleMeterRegistry} ({@code registry}: the publish counter and sampled timer, the dispatch
 * counter and the own-publish lag timer). {@code none} and {@code unbound} should equal {@link
 * PublishDispatchBenchmark} on the code before the hook (message-bus-benchmarks/run-overhead.sh
 * runs both).
 *
 * <p>{@code java -jar message-bus-benchmarks/target/benchmarks.jar ObserverOverhead}
 */
public class ObserverOverheadBenchmark extends BenchmarkDefaults {

  /**
   * {@code none}: no observer; {@code unbound}: a registry bound, then unbound; {@code registry}: a
   * Micrometer registry bound.
   */
  @Param({"none", "unbound", "registry"})
  public String observer = "none";

  private ObservedBus observed;
  private final AtomicLong lastSeen = new AtomicLong();

  /** Builds a memory bus with one subscriber, and binds (and unbinds) the registry if asked. */
  @Setup(Level.Trial)
  public void setUp() {
    MessageBus bus = MessageBus.builder().build();
    observed =
        new ObservedBus(bus, bus.subscribe("/bench", m -> lastSeen.set(m.messageId())), observer);
  }

  /** Unbinds and closes the bus. */
  @TearDown(Level.Trial)
  public void tearDown() {
    observed.close();
  }

  /**
   * {@link PublishDispatchBenchmark#publishOnly}, in microseconds per publish, observed or not.
   *
   * @return the message id
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long publishOnly() {
    return observed.bus.publish("/bench", PublishDispatchBenchmark.PAYLOAD);
  }

  /**
   * {@link PublishDispatchBenchmark#roundTrip}, observed or not.
   *
   * @return the message id
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long roundTrip() {
    return PublishDispatchBenchmark.publishAndAwait(observed.bus, lastSeen);
  }
}
