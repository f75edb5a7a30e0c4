// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The pool's guard against a buffer released twice (jetty/jetty.project#12939): a stale second
 * release, coming after the pool handed the buffer to someone else, must not return that holder's
 * buffer to the pool.
 */
class GuardedBufferPoolTest {

  private static final int SIZE = 1024;

  /** A stale release, then the next acquisition: does it get the buffer {@code b} still holds? */
  private static boolean staleReleaseSharesBuffer(ArrayByteBufferPool pool) {
    return staleReleaseSharesBuffer(pool, false);
  }

  private static boolean staleReleaseSharesBuffer(ArrayByteBufferPool pool, boolean direct) {
    // The first buffer of a size is made for its acquirer; from its release on, the pool keeps it
    // as an entry and hands out that entry's one object, again and again.
    pool.acquire(SIZE, direct).release();
    RetainableByteBuffer.Mutable a = pool.acquire(SIZE, direct);
    a.release();
    RetainableByteBuffer.Mutable b = pool.acquire(SIZE, direct); // the same pooled buffer as a's
    try {
      a.release(); // the stale second release of a's acquisition
    } catch (IllegalStateException refused) {
      // the guard refuses it
    }
    RetainableByteBuffer.Mutable c = pool.acquire(SIZE, direct);
    ByteBuffer held = b.getByteBuffer();
    ByteBuffer taken = c.getByteBuffer();
    // the same memory: a write through one shows through the other
    held.clear();
    held.put(0, (byte) 'b');
    taken.clear();
    taken.put(0, (byte) 'c');
    return held.get(0) == 'c';
  }

  @Test
  void jettysOwnPool_handsABufferReleasedTwiceToTwoHolders() {
    // What the guard is for: with Jetty's pool alone, the stale release goes through silently.
    // (Should this fail with a later Jetty, #12939's mechanism has changed: see whether the guard
    // is still needed.)
    assertThat(staleReleaseSharesBuffer(new ArrayByteBufferPool(0, SIZE, 65536, 16, -1, -1)))
        .isTrue();
  }

  @Test
  void guardedPool_refusesTheStaleRelease_andNeverSharesTheBuffer() {
    assertThat(staleReleaseSharesBuffer(new GuardedBufferPool(0, SIZE, 65536, 16, -1, -1)))
        .isFalse();
  }

  @Test
  void secondReleaseOfOneAcquisition_throwsAsJettysOwnCountDoes() {
    GuardedBufferPool pool = new GuardedBufferPool(0, SIZE, 65536, 16, -1, -1);
    RetainableByteBuffer.Mutable a = pool.acquire(SIZE, false);

    assertThat(a.release()).isTrue();
    assertThatThrownBy(a::release)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("already released");
  }

  @Test
  void retainedBuffer_goesBackToThePoolWithItsLastRelease() {
    GuardedBufferPool pool = new GuardedBufferPool(0, SIZE, 65536, 16, -1, -1);
    RetainableByteBuffer.Mutable a = pool.acquire(SIZE, false);
    a.retain();
    assertThat(a.isRetained()).isTrue();

    assertThat(a.release()).isFalse();
    assertThat(pool.getAvailableHeapByteBufferCount()).isZero();
    assertThat(a.release()).isTrue();
    assertThat(pool.getAvailableHeapByteBufferCount()).isEqualTo(1);
    // and it is handed out again
    RetainableByteBuffer.Mutable again = pool.acquire(SIZE, false);
    assertThat(pool.getAvailableHeapByteBufferCount()).isZero();
    again.release();
  }

  /**
   * Jetty can go on using a connection's request buffer after releasing it (#12939: the thread that
   * answers a refused request and the one that parsed it race on the connection). What the stale
   * user holds must not move or clear the next holder's bytes: the view shows an empty, read-only
   * buffer once released, and a {@code ByteBuffer} taken from it before (as Jetty's fill and parse
   * take one) has its own position and limit, so parsing through it consumes nothing of the next
   * holder's.
   */
  @Test
  void releasedAcquisition_cannotMoveOrClearTheNextHoldersBytes() {
    GuardedBufferPool pool = new GuardedBufferPool(0, SIZE, 65536, 16, -1, -1);
    pool.acquire(SIZE, false).release(); // from now on the pool hands out one entry's buffer
    RetainableByteBuffer.Mutable stale = pool.acquire(SIZE, false);
    ByteBuffer taken = stale.getByteBuffer(); // as a parse step takes it
    stale.release();
    RetainableByteBuffer.Mutable next = pool.acquire(SIZE, false);
    next.append(ByteBuffer.wrap(new byte[] {'G', 'E', 'T'}));
    taken.limit(3);
    assertThat(taken.get(0)).isEqualTo((byte) 'G'); // the same memory, handed on

    assertThat(stale.getByteBuffer().capacity()).isZero();
    assertThat(stale.hasRemaining()).isFalse();
    assertThat(stale.space()).isZero();
    assertThatThrownBy(() -> stale.put((byte) 'x'))
        .isInstanceOf(java.nio.ReadOnlyBufferException.class);
    stale.clear();
    taken.position(3); // a stale parse consuming what it sees

    assertThat(next.remaining()).isEqualTo(3);
    assertThat(next.getByteBuffer().position()).isZero();
    assertThat(next.get(0)).isEqualTo((byte) 'G');
    next.release();
  }

  @Test
  void liveView_readsAndWritesThePooledBuffer() {
    GuardedBufferPool pool = new GuardedBufferPool(0, SIZE, 65536, 16, -1, -1);
    RetainableByteBuffer.Mutable a = pool.acquire(SIZE, true);
    assertThat(a.isDirect()).isTrue();
    assertThat(a.capacity()).isEqualTo(SIZE);
    a.put((byte) 1).putShort((short) 2).putInt(3).putLong(4L).put(new byte[] {5, 6}, 0, 2);
    assertThat(a.remaining()).isEqualTo(1 + 2 + 4 + 8 + 2);
    assertThat(a.space()).isEqualTo(SIZE - a.remaining());
    a.put(0, (byte) 9);
    assertThat(a.get(0)).isEqualTo((byte) 9);
    a.limit(1);
    assertThat(a.remaining()).isEqualTo(1);
    a.clear();
    assertThat(a.hasRemaining()).isFalse();
    assertThat(a.release()).isTrue();
  }

  @Test
  void defaultPool_poolsAsJettysDefault_andGuardsEachAcquisition() {
    GuardedBufferPool pool = new GuardedBufferPool();
    RetainableByteBuffer.Mutable a = pool.acquire(4096, true);
    assertThat(a.isDirect()).isTrue();
    assertThat(a.capacity()).isEqualTo(4096); // Jetty's default buckets: steps of 4 KiB
    assertThat(a.release()).isTrue();
    assertThat(pool.getAvailableDirectByteBufferCount()).isEqualTo(1);
    assertThatThrownBy(a::release).isInstanceOf(IllegalStateException.class);
    assertThat(a.getByteBuffer().capacity()).isZero();
  }

  @Test
  void guardedPool_refusesTheStaleRelease_ofASmallDirectBuffer() {
    // the free list of the first bucket's direct buffers (request buffers) is behind the same guard
    assertThat(staleReleaseSharesBuffer(new GuardedBufferPool(0, SIZE, 65536, 16, -1, -1), true))
        .isFalse();
  }

  @Test
  void smallDirectBuffers_comeBackToTheFreeListOnce_andAreHandedOutAgain() {
    GuardedBufferPool pool = new GuardedBufferPool(0, SIZE, 65536, 16, -1, -1);
    RetainableByteBuffer.Mutable a = pool.acquire(SIZE, true);
    ByteBuffer taken = a.getByteBuffer(); // as a parse step takes it
    assertThat(a.capacity()).isEqualTo(SIZE);
    assertThat(a.hasRemaining()).isFalse(); // empty, in flush mode, as Jetty's pool hands it out
    a.append(ByteBuffer.wrap(new byte[] {'a'}));
    assertThat(pool.getAvailableDirectByteBufferCount()).isZero();

    assertThat(a.release()).isTrue();
    assertThat(pool.getAvailableDirectByteBufferCount()).isEqualTo(1);
    assertThat(pool.getAvailableDirectMemory()).isEqualTo(SIZE);
    assertThatThrownBy(a::release).isInstanceOf(IllegalStateException.class);
    assertThat(pool.getAvailableDirectByteBufferCount()).isEqualTo(1); // not twice

    RetainableByteBuffer.Mutable b = pool.acquire(SIZE, true);
    assertThat(pool.getAvailableDirectByteBufferCount()).isZero();
    assertThat(b.hasRemaining()).isFalse(); // what a left is not shown to b
    b.append(ByteBuffer.wrap(new byte[] {'b'}));
    taken.limit(1);
    assertThat(taken.get(0)).isEqualTo((byte) 'b'); // the same memory, handed on
    assertThat(b.release()).isTrue();
  }

  @Test
  void theFreeList_keepsNoMoreIdleBuffersThanTheBucketSize_andClearEmptiesIt() {
    GuardedBufferPool pool = new GuardedBufferPool(0, SIZE, 65536, 2, -1, -1);
    RetainableByteBuffer.Mutable a = pool.acquire(SIZE, true);
    RetainableByteBuffer.Mutable b = pool.acquire(100, true); // any size up to the first bucket's
    RetainableByteBuffer.Mutable c = pool.acquire(SIZE, true);
    assertThat(b.capacity()).isEqualTo(SIZE);
    a.release();
    b.release();
    c.release();
    assertThat(pool.getAvailableDirectByteBufferCount()).isEqualTo(2);
    pool.clear();
    assertThat(pool.getAvailableDirectByteBufferCount()).isZero();
    // and a memory bound: 1.5 buffers' worth keeps one
    GuardedBufferPool bounded = new GuardedBufferPool(0, SIZE, 65536, 16, -1, SIZE * 3 / 2);
    RetainableByteBuffer.Mutable d = bounded.acquire(SIZE, true);
    RetainableByteBuffer.Mutable e = bounded.acquire(SIZE, true);
    d.release();
    e.release();
    assertThat(bounded.getAvailableDirectByteBufferCount()).isEqualTo(1);
  }
}
