// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * What a bound registry costs the same-thread paths, read as a paired difference inside one JVM
 * (issue 15, item 4). {@link SameThreadObserverBenchmark} and {@link SameThreadFanOutBenchmark}
 * measure each case in forks of its own, and the same code runs 10–25 % faster or slower from one
 * fork to the next as the JIT compiles it differently: more than the few per cent sought. Here both
 * cases live in one JVM and alternate in blocks (A B, then B A, so that a drift falls on both
 * alike); each round's difference is one sample, so the error is that of the difference within this
 * JVM's compilation. Run it several times: the difference still moves from JVM to JVM (the JIT's
 * inlining of the long publish path differs), which is what a user's process sees too.
 *
 * <pre>{@code
 * java -cp message-bus-benchmarks/target/benchmarks.jar \
 *     org.messagebus.benchmarks.ObserverCostPairs publish 40
 * java -cp ... org.messagebus.benchmarks.ObserverCostPairs fanout 40
 * }</pre>
 *
 * <p>Arguments: {@code publish} (a publish and its dispatch on this thread, {@link
 * SameThreadObserverBenchmark}) or {@code fanout} (the same, then the engine's writes to 100 held
 * streams, {@link SameThreadFanOutBenchmark}); the number of measured rounds (default 40). Each
 * case first runs 10 × 300 ms to be compiled, then 10 more rounds warm up; a block runs about 100
 * ms. Prints each case's mean time per operation and the paired difference, with its standard
 * deviation, its 95 % interval and its share of {@code none}.
 */
public final class ObserverCostPairs {

  private static final long BLOCK_NANOS = 100_000_000L;
  private static final int WARMUP_ROUNDS = 10;

  private static long sink;

  private ObserverCostPairs() {}

  /**
   * Runs the measurement.
   *
   * @param args {@code publish} or {@code fanout}, then the number of rounds
   * @throws Exception if a setup fails
   */
  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "publish";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    List<AutoCloseable> closing = new ArrayList<>();
    LongSupplier none;
    LongSupplier registry;
    if (what.equals("publish")) {
      SameThreadObserverBenchmark a = new SameThreadObserverBenchmark();
      a.observer = "none";
      a.setUp();
      closing.add(a::tearDown);
      SameThreadObserverBenchmark b = new SameThreadObserverBenchmark();
      b.observer = "registry";
      b.setUp();
      closing.add(b::tearDown);
      none = a::publishAndDispatch;
      registry = b::publishAndDispatch;
    } else if (what.equals("fanout")) {
      SameThreadFanOutBenchmark a = new SameThreadFanOutBenchmark();
      a.observer = "none";
      a.setUp();
      closing.add(a::tearDown);
      SameThreadFanOutBenchmark b = new SameThreadFanOutBenchmark();
      b.observer = "registry";
      b.setUp();
      closing.add(b::tearDown);
      none = a::fanOut;
      registry = b::fanOut;
    } else {
      throw new IllegalArgumentException("publish or fanout, not " + what);
    }
    try {
      for (int i = 0; i < 10; i++) {
        runFor(none, 3 * BLOCK_NANOS);
        runFor(registry, 3 * BLOCK_NANOS);
      }
      long ops = calibrate(none);
      double[] a = new double[rounds];
      double[] b = new double[rounds];
      for (int r = -WARMUP_ROUNDS; r < rounds; r++) {
        double na;
        double nb;
        if ((r & 1) == 0) {
          na = block(none, ops);
          nb = block(registry, ops);
        } else {
          nb = block(registry, ops);
          na = block(none, ops);
        }
        if (r >= 0) {
          a[r] = na;
          b[r] = nb;
        }
      }
      report(what, ops, a, b);
    } finally {
      for (AutoCloseable c : closing) {
        c.close();
      }
    }
  }

  /** How many operations take about one block's time. */
  private static long calibrate(LongSupplier op) {
    long ops = 1_000;
    while (true) {
      long start = System.nanoTime();
      run(op, ops);
      long took = System.nanoTime() - start;
      if (took >= BLOCK_NANOS / 4) {
        return Math.max(1, ops * BLOCK_NANOS / took);
      }
      ops *= 4;
    }
  }

  private static void runFor(LongSupplier op, long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      run(op, 1_000);
    }
  }

  private static void run(LongSupplier op, long ops) {
    long s = 0;
    for (long i = 0; i < ops; i++) {
      s += op.getAsLong();
    }
    sink += s;
  }

  /** Nanoseconds per operation over one block. */
  private static double block(LongSupplier op, long ops) {
    long start = System.nanoTime();
    run(op, ops);
    return (double) (System.nanoTime() - start) / ops;
  }

  private static void report(String what, long ops, double[] none, double[] registry) {
    int n = none.length;
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = registry[i] - none[i];
    }
    double meanNone = mean(none);
    double meanDiff = mean(d);
    double sd = sd(d, meanDiff);
    double half = 1.96 * sd / Math.sqrt(n);
    System.out.printf(
        Locale.ROOT,
        "%s: %d rounds of %,d operations per case and block (%d)%n"
            + "  none     %.1f ns/op (sd %.1f)%n"
            + "  registry %.1f ns/op (sd %.1f)%n"
            + "  registry - none, paired: %.1f ns (sd %.1f; 95 %% interval %.1f to %.1f)"
            + " = %.2f %% of none (%.2f to %.2f %%)%n",
        what,
        n,
        ops,
        sink & 1,
        meanNone,
        sd(none, meanNone),
        mean(registry),
        sd(registry, mean(registry)),
        meanDiff,
        sd,
        meanDiff - half,
        meanDiff + half,
        100 * meanDiff / meanNone,
        100 * (meanDiff - half) / meanNone,
        100 * (meanDiff + half) / meanNone);
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double sd(double[] v, double mean) {
    double s = 0;
    for (double x : v) {
      s += (x - mean) * (x - mean);
    }
    return v.length > 1 ? Math.sqrt(s / (v.length - 1)) : 0;
  }
}
