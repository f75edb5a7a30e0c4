// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.Retainable;
import org.eclipse.jetty.io.RetainableByteBuffer;

/**
 * Jetty's buffer pool, with every buffer it hands out behind a reference count of its own, so that
 * one acquisition returns its buffer to the pool at most once.
 *
 * <p>Why: Jetty 12.1 can release a connection's request buffer twice (jetty/jetty.project#12939;
 * seen here under the fuzzers). When the second release comes while the buffer is back in the pool,
 * Jetty's own count throws ({@code IllegalStateException: already released}, logged at WARN) and no
 * harm is done; when it comes after the pool handed the buffer to another connection, it succeeds
 * silently and returns that connection's buffer to the pool, where a third connection then takes it
 * while the second still reads into it: two connections parse each other's bytes (a 505 to a
 * well-formed request, a request never complete, or one client's bytes read as another's). Behind a
 * count per acquisition, the stale release finds its own count at zero and throws as in the first
 * case, and the pooled buffer, released once, is never shared.
 *
 * <p>Cost: one small object per acquisition (the buffer view and its count). The view is Jetty's
 * own {@link RetainableByteBuffer.FixedCapacity} over the pooled buffer's {@code ByteBuffer}, as
 * Jetty's {@code ArrayByteBufferPool.Tracking} wraps them.
 */
final class GuardedBufferPool extends ArrayByteBufferPool {

  GuardedBufferPool(
      int minCapacity,
      int factor,
      int maxCapacity,
      int maxBucketSize,
      long maxHeapMemory,
      long maxDirectMemory) {
    super(minCapacity, factor, maxCapacity, maxBucketSize, maxHeapMemory, maxDirectMemory);
  }

  @Override
  public RetainableByteBuffer.Mutable acquire(int size, boolean direct) {
    RetainableByteBuffer.Mutable pooled = super.acquire(size, direct);
    return new RetainableByteBuffer.FixedCapacity(pooled.getByteBuffer(), new Once(pooled));
  }

  /**
   * The references of one acquisition: starts at one, releases the pooled buffer when the last one
   * goes, and refuses (as Jetty's own count does) to go below zero.
   */
  private static final class Once implements Retainable {

    private static final AtomicIntegerFieldUpdater<Once> REFERENCES =
        AtomicIntegerFieldUpdater.newUpdater(Once.class, "references");

    private final Retainable pooled;
    private volatile int references = 1;

    Once(Retainable pooled) {
      this.pooled = pooled;
    }

    @Override
    public boolean canRetain() {
      return true;
    }

    @Override
    public void retain() {
      while (true) {
        int n = references;
        if (n <= 0) {
          throw new IllegalStateException("released " + this);
        }
        if (REFERENCES.compareAndSet(this, n, n + 1)) {
          return;
        }
      }
    }

    @Override
    public boolean release() {
      while (true) {
        int n = references;
        if (n <= 0) {
          // the message Jetty's own count gives, so that logs read the same
          throw new IllegalStateException("already released " + this);
        }
        if (REFERENCES.compareAndSet(this, n, n - 1)) {
          if (n == 1) {
            pooled.release();
            return true;
          }
          return false;
        }
      }
    }

    @Override
    public boolean isRetained() {
      return references > 1;
    }

    @Override
    public int getRetained() {
      return references;
    }

    @Override
    public String toString() {
      return "Once@"
          + Integer.toHexString(System.identityHashCode(this))
          + "[r="
          + references
          + "]";
    }
  }
}
