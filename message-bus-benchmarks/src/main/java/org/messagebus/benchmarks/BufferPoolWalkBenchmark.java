// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.messagebus.servlet.MessageBusServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a new request's buffer costs while {@link #held} long polls are held (issue 13, item 3). A
 * held poll keeps its request buffer from Jetty's pool until it is answered, so the pool has one
 * buffer in use per held poll; each operation here is what one answered poll and its next request
 * do to the pool: the oldest held buffer goes back, a new one is taken. {@link #bucket} is the
 * pool's {@code maxBucketSize} as {@link MessageBusServer} passes it ({@code
 * bufferPoolMaxBucketSize}): {@code -1} is Jetty's unbounded default, {@code 65536} this project's.
 * The pool is built as {@link MessageBusServer} builds it (1 KiB steps, 8 MiB of each kind).
 *
 * <p>{@code java -jar message-bus-benchmarks/target/benchmarks.jar BufferPoolWalk}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BufferPoolWalkBenchmark extends BenchmarkDefaults {

  /** Buffers in use when the operation starts: the held polls. */
  @Param({"1000", "5000", "10000"})
  public int held = 1000;

  /** The pool's {@code maxBucketSize}. */
  @Param({"-1", "65536"})
  public int bucket = MessageBusServer.DEFAULT_BUFFER_POOL_MAX_BUCKET_SIZE;

  private ArrayByteBufferPool pool;
  private final ArrayDeque<RetainableByteBuffer> inUse = new ArrayDeque<>();

  /** Builds the pool and takes {@link #held} request buffers from it. */
  @Setup(Level.Trial)
  public void setUp() {
    pool =
        new ArrayByteBufferPool(
            0,
            1024,
            65536,
            bucket,
            MessageBusServer.DEFAULT_BUFFER_POOL_MAX_MEMORY,
            MessageBusServer.DEFAULT_BUFFER_POOL_MAX_MEMORY);
    for (int i = 0; i < held; i++) {
      inUse.add(pool.acquire(MessageBusServer.DEFAULT_INPUT_BUFFER_SIZE, true));
    }
  }

  /** Gives every buffer back. */
  @TearDown(Level.Trial)
  public void tearDown() {
    for (RetainableByteBuffer b : inUse) {
      b.release();
    }
    inUse.clear();
    pool.clear();
  }

  /**
   * One answered poll and its next request: the oldest buffer is released, a new one acquired.
   *
   * @return the buffer now in use (so that nothing is eliminated)
   */
  @Benchmark
  public RetainableByteBuffer answerAndRepoll() {
    inUse.poll().release();
    RetainableByteBuffer b = pool.acquire(MessageBusServer.DEFAULT_INPUT_BUFFER_SIZE, true);
    inUse.add(b);
    return b;
  }
}
