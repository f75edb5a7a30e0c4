// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.http.HttpEngine;
import org.messagebus.micrometer.HttpEngineMetrics;
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
 * What a bound registry adds to an HTTP fan-out, measured where nothing else moves (issue 15, item
 * 4): {@link HttpFanOutBenchmark}'s {@link #clients} streaming polls on in-process exchanges, but
 * the bus publishes through {@link SameThreadObserverBenchmark.SameThreadBackend}, so one operation
 * — publish, dispatch, the engine's fan-out and every write — runs on the benchmark thread, with no
 * spin and no second thread, and the error bars are small enough to read a few per cent. {@code
 * registry} binds both {@link MessageBusMetrics} and {@link HttpEngineMetrics} (what the Spring
 * Boot starter binds), so the difference to {@code none} is everything the metrics cost one message
 * delivered to {@link #clients} polls.
 *
 * <p>{@code java -jar message-bus-benchmarks/target/benchmarks.jar SameThreadFanOut}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SameThreadFanOutBenchmark extends BenchmarkDefaults {

  /** {@code none}, {@code unbound} (both bound, then closed) or {@code registry}. */
  @Param({"none", "unbound", "registry"})
  public String observer = "none";

  /** Streaming polls held on the engine. */
  @Param({"100"})
  public int clients = 100;

  private MessageBus bus;
  private HttpEngine engine;
  private @Nullable MessageBusMetrics busMetrics;
  private @Nullable HttpEngineMetrics engineMetrics;
  private final AtomicLong written = new AtomicLong();
  private long expected;

  /** Builds the bus and the engine, holds the polls, checks that a message reaches them all. */
  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    SameThreadObserverBenchmark.SameThreadBackend backend =
        new SameThreadObserverBenchmark.SameThreadBackend();
    bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    // One lane: the dispatching thread writes, here the publishing one.
    engine = HttpFanOutBenchmark.engine(bus, clients);
    if (!observer.equals("none")) {
      MeterRegistry registry = new SimpleMeterRegistry();
      busMetrics = MessageBusMetrics.bind(bus, registry);
      engineMetrics = HttpEngineMetrics.bind(engine, registry);
      if (observer.equals("unbound")) {
        busMetrics.close();
        engineMetrics.close();
        busMetrics = null;
        engineMetrics = null;
      }
    }
    HttpFanOutBenchmark.holdStreams(bus, engine, clients, written);
    backend.awaitListener();
    expected = written.get();
    fanOut(); // throws unless every poll was written on this thread
  }

  /** Unbinds, closes the engine (answering the polls) and the bus. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (busMetrics != null) {
      busMetrics.close();
    }
    if (engineMetrics != null) {
      engineMetrics.close();
    }
    engine.close();
    bus.close();
  }

  /**
   * Publishes one message; when the publish returns, every held poll has been written it.
   *
   * @return the message id
   */
  @Benchmark
  public long fanOut() {
    long id = bus.publish("/bench", PublishDispatchBenchmark.PAYLOAD);
    expected += clients;
    if (written.get() != expected) {
      throw new IllegalStateException(
          "after publish " + id + ", " + written.get() + " pieces written, expected " + expected);
    }
    return id;
  }
}
