// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.Retainable;
import org.eclipse.jetty.io.RetainableByteBuffer;

/**
 * Jetty's buffer pool, with every buffer it hands out behind a reference count of its own, so that
 * one acquisition returns its buffer to the pool at most once and cannot touch it once returned.
 *
 * <p>Why: Jetty 12.1 can release a connection's request buffer twice, and go on using it after the
 * first release (jetty/jetty.project#12939). Seen here under the fuzzers, and reproduced: a request
 * Jetty refuses (400, 505) is answered by a pool thread while the thread that parsed it still
 * finishes its {@code onFillable} on the same connection, and both release, fill or parse the
 * connection's one request buffer ({@code NullPointerException} in {@code fillRequestBuffer}, a
 * failed assertion in {@code onFillable}, "already released"). A second release that comes after
 * the pool handed the buffer to another connection would return that connection's buffer to the
 * pool, and a stale fill or parse would write into or consume another connection's bytes: a
 * well-formed request on a fresh connection then goes unanswered (its head never complete, or
 * parsed as garbage). Behind this guard the stale release finds its own count at zero and throws as
 * Jetty's own count does, and the stale view of a released acquisition is detached from the pooled
 * memory (it shows an empty, read-only buffer): whatever the racing thread does with it stays on
 * its own (refused) connection.
 *
 * <p>Cost: two small objects per acquisition (the view with its count, and the duplicate with its
 * wrapper) and one indirection per call: about 240 bytes per long-poll cycle (BENCHMARKS.md).
 *
 * <p><b>Small direct buffers.</b> Direct buffers of the first bucket's capacity (the pool's {@code
 * factor}: 1 KiB in {@link MessageBusServer}, Jetty's 4 KiB by default) — connections' request
 * buffers — are kept in a free list of this pool's own, idle ones only, taken and given back in
 * constant time. Jetty's bucket keeps every buffer it handed out as an entry and looks for a free
 * one by walking them (its first 256 with a bounded bucket): every held poll keeps its request
 * buffer until answered, so with thousands held every new request walked 256 taken entries (6 % of
 * the server's Java samples at 5,000 long pollers). Behind the views a buffer comes back to the
 * list at most once, so the list can hand it out again at once; it keeps at most as many idle
 * buffers as the bucket size and the direct memory bound allow, and lets the others go.
 *
 * <p>{@link MessageBusServer} uses it. Mounting the filter in a Jetty server of your own, give that
 * server one: {@code new Server(threadPool, null, new GuardedBufferPool())} (its connectors take
 * the server's pool); see docs/http.md, "Jetty's I/O thread".
 */
public final class GuardedBufferPool extends ArrayByteBufferPool {

  /** A pool with Jetty's defaults ({@link ArrayByteBufferPool#ArrayByteBufferPool()}), guarded. */
  public GuardedBufferPool() {
    this(0, -1, -1, Integer.MAX_VALUE, 0, 0); // as Jetty's own no-argument constructor
  }

  /**
   * A pool with the given sizes and bounds, guarded; the arguments are those of {@link
   * ArrayByteBufferPool#ArrayByteBufferPool(int, int, int, int, long, long)}.
   *
   * @param minCapacity the smallest buffer capacity pooled
   * @param factor the capacity step between buckets (-1: Jetty's default)
   * @param maxCapacity the largest buffer capacity pooled (-1: Jetty's default)
   * @param maxBucketSize the most buffers kept per bucket
   * @param maxHeapMemory the most heap memory kept (0: Jetty's default heuristic, -1: unbounded)
   * @param maxDirectMemory the most direct memory kept (as {@code maxHeapMemory})
   */
  public GuardedBufferPool(
      int minCapacity,
      int factor,
      int maxCapacity,
      int maxBucketSize,
      long maxHeapMemory,
      long maxDirectMemory) {
    super(minCapacity, factor, maxCapacity, maxBucketSize, maxHeapMemory, maxDirectMemory);
    int capacity = factor > 0 ? factor : JETTY_DEFAULT_FACTOR;
    long memory =
        maxDirectMemory > 0
            ? maxDirectMemory
            : maxDirectMemory == 0 ? Runtime.getRuntime().maxMemory() / 8 : Long.MAX_VALUE;
    long idle = Math.min(maxBucketSize > 0 ? maxBucketSize : Integer.MAX_VALUE, memory / capacity);
    this.small = new FreeList(capacity, (int) Math.max(0, idle));
  }

  /** Jetty's default capacity step ({@code ArrayByteBufferPool.DEFAULT_FACTOR}). */
  private static final int JETTY_DEFAULT_FACTOR = 4096;

  private final FreeList small;

  @Override
  public RetainableByteBuffer.Mutable acquire(int size, boolean direct) {
    if (direct && size <= small.capacity) {
      Slot slot = small.take();
      return new View(
          slot,
          new RetainableByteBuffer.FixedCapacity(
              slot.buffer.duplicate(), Retainable.NON_RETAINABLE));
    }
    RetainableByteBuffer.Mutable pooled = super.acquire(size, direct);
    // A duplicate: this acquisition's position and limit are its own, so that a stale parse or
    // fill through a ByteBuffer taken from the view before its release moves no other holder's.
    // The view keeps the count, so the FixedCapacity needs none of its own.
    return new View(
        pooled,
        new RetainableByteBuffer.FixedCapacity(
            pooled.getByteBuffer().duplicate(), Retainable.NON_RETAINABLE));
  }

  @Override
  public long getAvailableDirectByteBufferCount() {
    return super.getAvailableDirectByteBufferCount() + small.idle();
  }

  @Override
  public long getDirectByteBufferCount() {
    return super.getDirectByteBufferCount() + small.idle();
  }

  @Override
  public long getAvailableDirectMemory() {
    return super.getAvailableDirectMemory() + (long) small.idle() * small.capacity;
  }

  @Override
  public long getDirectMemory() {
    return super.getDirectMemory() + (long) small.idle() * small.capacity;
  }

  @Override
  public void clear() {
    super.clear();
    small.clear();
  }

  /**
   * Idle direct buffers of one capacity, last given back first taken, at most {@code maxIdle} of
   * them; a lock around an array deque (a take and a give per request, no allocation).
   */
  private static final class FreeList {
    final int capacity;
    private final int maxIdle;
    private final ArrayDeque<Slot> idle = new ArrayDeque<>();

    FreeList(int capacity, int maxIdle) {
      this.capacity = capacity;
      this.maxIdle = maxIdle;
    }

    Slot take() {
      synchronized (idle) {
        Slot s = idle.pollFirst();
        if (s != null) {
          return s;
        }
      }
      return new Slot(this, ByteBuffer.allocateDirect(capacity).limit(0));
    }

    void give(Slot s) {
      s.buffer.position(0).limit(0); // empty, in flush mode, as Jetty's pool hands buffers out
      synchronized (idle) {
        if (idle.size() < maxIdle) {
          idle.addFirst(s);
        }
      }
    }

    int idle() {
      synchronized (idle) {
        return idle.size();
      }
    }

    void clear() {
      synchronized (idle) {
        idle.clear();
      }
    }
  }

  /**
   * A buffer of the free list with the way back to it: handed to one view at a time, which releases
   * it once (the view's own count guards that), giving it back.
   */
  private static final class Slot implements Retainable {
    final FreeList home;
    final ByteBuffer buffer;

    Slot(FreeList home, ByteBuffer buffer) {
      this.home = home;
      this.buffer = buffer;
    }

    @Override
    public boolean release() {
      home.give(this);
      return true;
    }
  }

  /**
   * What a released view shows: no bytes, no space, and a refusal of any write (the buffer is
   * read-only). Its position and limit stay at zero whatever is done to it, so sharing it is safe.
   */
  private static final RetainableByteBuffer.Mutable DETACHED =
      new RetainableByteBuffer.FixedCapacity(
          ByteBuffer.allocate(0).asReadOnlyBuffer(), Retainable.NON_RETAINABLE);

  /**
   * One acquisition's view of a pooled buffer, and its references: every call goes to the pooled
   * buffer until the last reference is released, and to {@link #DETACHED} from then on. The count
   * starts at one, releases the pooled buffer when the last reference goes, and refuses (as Jetty's
   * own count does) to go below zero. One object per acquisition besides the duplicate.
   */
  private static final class View extends RetainableByteBuffer.Abstract {

    private static final AtomicIntegerFieldUpdater<View> REFERENCES =
        AtomicIntegerFieldUpdater.newUpdater(View.class, "references");

    private final Retainable pooled;
    private volatile RetainableByteBuffer.Mutable target;
    private volatile int references = 1;

    View(Retainable pooled, RetainableByteBuffer.Mutable target) {
      super(Retainable.NON_RETAINABLE); // the count is this view's own (below)
      this.pooled = pooled;
      this.target = target;
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
            target = DETACHED;
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
      return "GuardedBufferPool.View@"
          + Integer.toHexString(System.identityHashCode(this))
          + "[r="
          + references
          + "]";
    }

    @Override
    public ByteBuffer getByteBuffer() {
      return target.getByteBuffer();
    }

    @Override
    public void clear() {
      target.clear();
    }

    @Override
    public long space() {
      return target.space();
    }

    @Override
    public RetainableByteBuffer.Mutable asMutable() {
      return this;
    }

    @Override
    public int remaining() {
      return target.remaining();
    }

    @Override
    public boolean hasRemaining() {
      return target.hasRemaining();
    }

    @Override
    public boolean isDirect() {
      return target.isDirect();
    }

    @Override
    public int capacity() {
      return target.capacity();
    }

    @Override
    public byte get(long index) {
      return target.get(index);
    }

    @Override
    public void limit(long size) {
      target.limit(size);
    }

    @Override
    public boolean append(ByteBuffer bytes) {
      return target.append(bytes);
    }

    @Override
    public boolean append(RetainableByteBuffer bytes) {
      return target.append(bytes);
    }

    @Override
    public RetainableByteBuffer.Mutable add(ByteBuffer bytes) {
      target.add(bytes);
      return this;
    }

    @Override
    public RetainableByteBuffer.Mutable add(RetainableByteBuffer bytes) {
      target.add(bytes);
      return this;
    }

    @Override
    public RetainableByteBuffer.Mutable put(byte b) {
      target.put(b);
      return this;
    }

    @Override
    public RetainableByteBuffer.Mutable put(long index, byte b) {
      target.put(index, b);
      return this;
    }

    @Override
    public RetainableByteBuffer.Mutable putShort(short s) {
      target.putShort(s);
      return this;
    }

    @Override
    public RetainableByteBuffer.Mutable putInt(int i) {
      target.putInt(i);
      return this;
    }

    @Override
    public RetainableByteBuffer.Mutable putLong(long l) {
      target.putLong(l);
      return this;
    }

    @Override
    public RetainableByteBuffer.Mutable put(byte[] bytes, int offset, int length) {
      target.put(bytes, offset, length);
      return this;
    }
  }
}
