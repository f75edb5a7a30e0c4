// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Retainable;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.util.BufferUtil;

/**
 * The buffers of {@link MessageBusServer}'s Jetty, kept between uses in a free list per size: an
 * acquire takes the last buffer given back, or allocates one; a buffer whose last holder releases
 * it goes back to its list, unless the list already holds {@code maxBucketSize} buffers or the idle
 * buffers of its kind (heap, direct) already take {@code maxMemory} bytes. Sizes are rounded up to
 * 1 KiB steps up to {@code maxCapacity}; larger buffers are not pooled.
 *
 * <p><b>Why not Jetty's {@code ArrayByteBufferPool}.</b> It keeps every buffer it ever handed out
 * as an entry of its size and finds a free one by walking those entries. Every held poll keeps its
 * connection's request buffer until it is answered, so with N held polls each new request walks N
 * busy entries before it finds a free one: 15.8 % of the server's CPU samples at 5,000 long pollers
 * (BENCHMARKS.md, "Second machine, 2026-12-03"). Here only idle buffers are in the list, so an
 * acquire costs the same with 10 or 10,000 held polls.
 *
 * <p>Thread-safe: the lists are lock-free, a buffer's release is counted by Jetty's {@link
 * Retainable.ReferenceCounter}, and a buffer goes back once, when its count reaches zero.
 */
final class FreeListBufferPool implements ByteBufferPool {

  private static final int STEP = 1024;

  private final int maxCapacity;
  private final Kind heap;
  private final Kind direct;

  /**
   * Creates the pool.
   *
   * @param maxCapacity the largest pooled size; rounded down to a multiple of 1 KiB, at least 1 KiB
   * @param maxBucketSize buffers kept idle per size at most, or -1 for no count bound
   * @param maxHeapMemory bytes of idle heap buffers kept at most
   * @param maxDirectMemory bytes of idle direct buffers kept at most
   */
  FreeListBufferPool(int maxCapacity, int maxBucketSize, long maxHeapMemory, long maxDirectMemory) {
    int buckets = Math.max(1, maxCapacity / STEP);
    this.maxCapacity = buckets * STEP;
    this.heap = new Kind(buckets, maxBucketSize, maxHeapMemory);
    this.direct = new Kind(buckets, maxBucketSize, maxDirectMemory);
  }

  @Override
  public RetainableByteBuffer.Mutable acquire(int size, boolean useDirect) {
    if (size > maxCapacity) {
      return NON_POOLING.acquire(size, useDirect);
    }
    Kind kind = useDirect ? direct : heap;
    Bucket bucket = kind.buckets[size <= 0 ? 0 : (size - 1) / STEP];
    ByteBuffer buffer = bucket.idle.pollFirst();
    if (buffer == null) {
      buffer =
          useDirect
              ? ByteBuffer.allocateDirect(bucket.capacity)
              : ByteBuffer.allocate(bucket.capacity);
    } else {
      bucket.idleCount.decrementAndGet();
      kind.idleBytes.addAndGet(-bucket.capacity);
    }
    BufferUtil.clear(buffer);
    return new Pooled(this, buffer, new Counter(kind, bucket, buffer));
  }

  /** Forgets every idle buffer (the collector frees them). */
  @Override
  public void clear() {
    heap.clear();
    direct.clear();
  }

  /**
   * Idle buffers and bytes, with the memory bounds, e.g. {@code heap=2048/8388608}.
   *
   * @return a one-line summary
   */
  @Override
  public String toString() {
    return String.format(
        "FreeListBufferPool{maxCapacity=%d,heap=%d/%d,direct=%d/%d}",
        maxCapacity,
        heap.idleBytes.get(),
        heap.maxMemory,
        direct.idleBytes.get(),
        direct.maxMemory);
  }

  /** Idle bytes of one kind (for tests). */
  long idleBytes(boolean useDirect) {
    return (useDirect ? direct : heap).idleBytes.get();
  }

  /** Idle buffers of one kind and size (for tests). */
  int idleBuffers(boolean useDirect, int size) {
    return (useDirect ? direct : heap).buckets[size <= 0 ? 0 : (size - 1) / STEP].idleCount.get();
  }

  private static final class Kind {
    final Bucket[] buckets;
    final long maxMemory;
    final AtomicLong idleBytes = new AtomicLong();

    Kind(int count, int maxBucketSize, long maxMemory) {
      this.maxMemory = maxMemory;
      this.buckets = new Bucket[count];
      for (int i = 0; i < count; i++) {
        buckets[i] = new Bucket((i + 1) * STEP, maxBucketSize);
      }
    }

    void clear() {
      for (Bucket b : buckets) {
        ByteBuffer buffer;
        while ((buffer = b.idle.pollFirst()) != null) {
          b.idleCount.decrementAndGet();
          idleBytes.addAndGet(-b.capacity);
        }
      }
    }
  }

  private static final class Bucket {
    final int capacity;
    final int maxIdle;
    final ConcurrentLinkedDeque<ByteBuffer> idle = new ConcurrentLinkedDeque<>();
    final AtomicInteger idleCount = new AtomicInteger();

    Bucket(int capacity, int maxIdle) {
      this.capacity = capacity;
      this.maxIdle = maxIdle;
    }
  }

  /** Gives the buffer back when its last holder releases it. */
  private static final class Counter extends Retainable.ReferenceCounter {
    private final Kind kind;
    private final Bucket bucket;
    private final ByteBuffer buffer;

    Counter(Kind kind, Bucket bucket, ByteBuffer buffer) {
      this.kind = kind;
      this.bucket = bucket;
      this.buffer = buffer;
    }

    @Override
    public boolean release() {
      if (!super.release()) {
        return false;
      }
      if (bucket.maxIdle >= 0 && bucket.idleCount.incrementAndGet() > bucket.maxIdle) {
        bucket.idleCount.decrementAndGet();
        return true;
      }
      if (bucket.maxIdle < 0) {
        bucket.idleCount.incrementAndGet();
      }
      if (kind.idleBytes.addAndGet(bucket.capacity) > kind.maxMemory) {
        kind.idleBytes.addAndGet(-bucket.capacity);
        bucket.idleCount.decrementAndGet();
        return true;
      }
      bucket.idle.offerFirst(buffer);
      return true;
    }
  }

  /** A pooled buffer whose count is a {@link Counter}. */
  private static final class Pooled extends RetainableByteBuffer.Pooled {
    Pooled(ByteBufferPool pool, ByteBuffer buffer, Retainable counter) {
      super(pool, buffer, counter);
    }
  }
}
