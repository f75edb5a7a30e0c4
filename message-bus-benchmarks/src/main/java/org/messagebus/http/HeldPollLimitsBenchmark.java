// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.util.concurrent.TimeUnit;
import org.messagebus.benchmarks.BenchmarkDefaults;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * What the per-identity cap on held polls ({@link HeldPollLimits}) costs one long-poll cycle when
 * {@link #held} polls are held by one identity — every browser behind one address, as in the load
 * test, or behind a proxy that is not in {@code trustedProxies}: the answered poll gives its slot
 * back, the client's next poll takes one. (In this package because the class is package-private.)
 *
 * <p>{@code java -jar message-bus-benchmarks/target/benchmarks.jar HeldPollLimits}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HeldPollLimitsBenchmark extends BenchmarkDefaults {

  private static final String IDENTITY = "address:127.0.0.1";

  /** Polls held by the one identity. */
  @Param({"1000", "5000"})
  public int held = 5000;

  private HeldPollLimits limits;
  private String[] ids;
  private Runnable[] slots;
  private int next;

  /** Holds {@link #held} polls of distinct client ids. */
  @Setup(Level.Trial)
  public void setUp() {
    limits =
        new HeldPollLimits(
            EngineOptions.builder().maxHeldPollsPerAddress(held).maxHeldPollsPerUser(held).build());
    ids = new String[held];
    slots = new Runnable[held];
    for (int i = 0; i < held; i++) {
      ids[i] = java.util.UUID.randomUUID().toString();
      slots[i] = limits.acquire(IDENTITY, ids[i]);
    }
  }

  /**
   * One cycle of one client: its answered poll gives the slot back, its next poll (a new request,
   * so a new string for the client id) takes one.
   *
   * @return the new slot (so that nothing is eliminated)
   */
  @Benchmark
  public Runnable answerAndRepoll() {
    int i = next;
    next = i + 1 == held ? 0 : i + 1;
    slots[i].run();
    Runnable slot = limits.acquire(IDENTITY, new String(ids[i]));
    slots[i] = slot;
    return slot;
  }
}
