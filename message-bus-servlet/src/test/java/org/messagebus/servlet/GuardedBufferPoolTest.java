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
    // The first buffer of a size is made for its acquirer; from its release on, the pool keeps it
    // as an entry and hands out that entry's one object, again and again.
    pool.acquire(SIZE, false).release();
    RetainableByteBuffer.Mutable a = pool.acquire(SIZE, false);
    a.release();
    RetainableByteBuffer.Mutable b = pool.acquire(SIZE, false); // the same pooled buffer as a's
    try {
      a.release(); // the stale second release of a's acquisition
    } catch (IllegalStateException refused) {
      // the guard refuses it
    }
    RetainableByteBuffer.Mutable c = pool.acquire(SIZE, false);
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
}
