// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.Subscription;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.Retention;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a bound registry adds to one publish and its dispatch, measured where nothing else moves
 * (issue 15, item 4): the bus publishes through a backend that stores nothing and hands the message
 * straight back to the bus's firehose listener on the calling thread, so one operation is the bus's
 * whole publish path (validation, encoding, the observed publish), the dispatch (decoding, the
 * observed dispatch with the own-publish lag, the subscriber's call) and nothing else: no store, no
 * second thread, no wait. {@link ObserverOverheadBenchmark} measures the same with the memory
 * backend, whose dispatch thread makes its error bars wider than the difference; here the
 * difference between {@code none} and {@code registry} is the observation's own cost, in
 * nanoseconds with small error bars, which BENCHMARKS.md sets against what each real operation
 * costs.
 *
 * <p>{@code java -jar message-bus-benchmarks/target/benchmarks.jar SameThreadObserver}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SameThreadObserverBenchmark extends BenchmarkDefaults {

  /**
   * {@code none}: no observer; {@code unbound}: a registry bound, then closed (the hook back to its
   * no-op); {@code registry}: a Micrometer registry bound.
   */
  @Param({"none", "unbound", "registry"})
  public String observer = "none";

  private ObservedBus observed;
  private long lastSeen;

  /** Builds the bus on the same-thread backend with one subscriber; binds the registry if asked. */
  @Setup(Level.Trial)
  public void setUp() throws InterruptedException {
    SameThreadBackend backend = new SameThreadBackend();
    MessageBus bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    Subscription subscription = bus.subscribe("/bench", m -> lastSeen = m.messageId());
    backend.awaitListener();
    observed = new ObservedBus(bus, subscription, observer);
  }

  /** Closes the registry binding, the subscription and the bus. */
  @TearDown(Level.Trial)
  public void tearDown() {
    observed.close();
  }

  /**
   * One publish and its dispatch to the subscriber, on this thread.
   *
   * @return the message id the subscriber saw (always the one just published)
   */
  @Benchmark
  public long publishAndDispatch() {
    long id = observed.bus.publish("/bench", "x");
    if (lastSeen != id) {
      throw new IllegalStateException("published " + id + ", the subscriber saw " + lastSeen);
    }
    return id;
  }

  /**
   * A backend that keeps nothing: a publish takes the next id and hands the message to the firehose
   * listener at once, on the publishing thread (as the memory backend may, before its publish
   * returns). Reads find nothing.
   */
  static final class SameThreadBackend implements Backend {
    volatile @Nullable BackendListener listener;
    private long lastId;

    /** Waits (setup only, outside the measurement) until the bus subscribed to its firehose. */
    void awaitListener() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (listener == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the bus did not subscribe to its firehose in 10 s");
        }
        Thread.sleep(1);
      }
    }

    @Override
    public long publish(String channel, String payload, BackendPublishOptions options) {
      long id = ++lastId;
      BackendListener l = listener;
      if (l != null) {
        l.onMessage(new BackendMessage(id, id, channel, payload));
      }
      return id;
    }

    @Override
    public long lastId(String channel) {
      return lastId;
    }

    @Override
    public long lastGlobalId() {
      return lastId;
    }

    @Override
    public List<BackendMessage> backlog(String channel, long afterId) {
      return List.of();
    }

    @Override
    public List<BackendMessage> globalBacklog(long lastGlobalId) {
      return List.of();
    }

    @Override
    public @Nullable BackendMessage getMessage(String channel, long messageId) {
      return null;
    }

    @Override
    public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener l) {
      listener = l;
      return new BackendSubscription() {
        private volatile boolean closed;

        @Override
        public boolean isSubscribed() {
          return !closed;
        }

        @Override
        public boolean isClosed() {
          return closed;
        }

        @Override
        public void close() {
          closed = true;
          listener = null;
        }
      };
    }

    @Override
    public void reset() {
      lastId = 0;
    }

    @Override
    public void expireAllBacklogs() {}

    @Override
    public Retention retention() {
      return Retention.DEFAULTS;
    }

    @Override
    public void reconnect() {}

    @Override
    public void close() {}
  }
}
