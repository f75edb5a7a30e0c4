// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * The CPU time of the whole benchmark JVM per operation ({@code cpu.time.norm}, µs/op): process CPU
 * time (every thread — the benchmark's, the bus's dispatch and delivery threads, the fan-out, the
 * garbage collector, the compiler) over an iteration, divided by the operations of the iteration.
 * Unlike the time per operation it counts work done on other threads and not time spent waiting,
 * and it needs no {@code perf}. {@code -prof org.messagebus.benchmarks.CpuTimeProfiler}.
 */
public final class CpuTimeProfiler implements InternalProfiler {

  private long startNanos;

  /** Created by JMH. */
  public CpuTimeProfiler() {}

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  @Override
  public String getDescription() {
    return "process CPU time per operation (all threads), microseconds";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    startNanos = processCpuNanos();
  }

  @Override
  @SuppressWarnings("rawtypes") // JMH's signature
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long end = processCpuNanos();
    long ops = result.getMetadata().getAllOps();
    if (startNanos < 0 || end < 0 || ops <= 0) {
      return List.of();
    }
    double microsPerOp = (end - startNanos) / 1000.0 / ops;
    return List.of(new ScalarResult("cpu.time.norm", microsPerOp, "us/op", AggregationPolicy.AVG));
  }
}
