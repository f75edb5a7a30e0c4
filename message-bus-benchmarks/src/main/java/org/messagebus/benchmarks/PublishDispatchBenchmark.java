// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.messagebus.MessageBus;
import org.messagebus.Subscription;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Publish on the memory backend with one live subscriber.
 *
 * <ul>
 *   <li>{@code publishOnly}: the publisher's cost (store, encode, announce); the subscriber's
 *       dispatch runs on the bus's listener thread, concurrently.
 *   <li>{@code roundTrip}: publish, then wait until the subscriber has seen that very message — the
 *       publish→dispatch latency as one operation.
 * </ul>
 */
public class PublishDispatchBenchmark extends BenchmarkDefaults {

  /** The message every publish of these benchmarks sends. */
  static final Map<String, Object> PAYLOAD =
      Map.of("user", "sam", "text", "hello there, how are you today?");

  private MessageBus bus;
  private Subscription subscription;
  private final AtomicLong lastSeen = new AtomicLong();

  /** Builds a memory bus with one subscriber that records the last id it saw. */
  @Setup(Level.Trial)
  public void setUp() {
    bus = MessageBus.builder().build();
    subscription = bus.subscribe("/bench", m -> lastSeen.set(m.messageId()));
  }

  /** Closes the bus. */
  @TearDown(Level.Trial)
  public void tearDown() {
    subscription.unsubscribe();
    bus.close();
  }

  /**
   * Publishes one message without waiting for its delivery.
   *
   * @return the message id
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long publishOnly() {
    return bus.publish("/bench", PAYLOAD);
  }

  /**
   * Publishes one message and spins until the subscriber has received it.
   *
   * @return the message id
   */
  @Benchmark
  @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long roundTrip() {
    return publishAndAwait(bus, lastSeen);
  }

  /**
   * Publishes {@link #PAYLOAD} on {@code /bench}, then spins until a subscriber recording into
   * {@code lastSeen} has seen it.
   *
   * @return the message id
   */
  static long publishAndAwait(MessageBus bus, AtomicLong lastSeen) {
    long id = bus.publish("/bench", PAYLOAD);
    while (lastSeen.get() < id) {
      Thread.onSpinWait();
    }
    return id;
  }
}
