// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.junit.jupiter.api.Test;

/** The server's buffer pool: sizes, reuse, the release count, the bounds, and many threads. */
class FreeListBufferPoolTest {

  @Test
  void aReleasedBuffer_isReused_emptyAndOfItsSizeStep() {
    FreeListBufferPool pool = new FreeListBufferPool(65536, -1, 1 << 20, 1 << 20);
    RetainableByteBuffer first = pool.acquire(1000, true);
    ByteBuffer bytes = first.getByteBuffer();
    assertThat(bytes.isDirect()).isTrue();
    assertThat(bytes.capacity()).isEqualTo(1024);
    assertThat(bytes.remaining()).as("acquired empty, in flush mode").isZero();
    bytes.clear();
    bytes.put((byte) 7).flip();
    assertThat(pool.idleBuffers(true, 1000)).isZero();
    assertThat(first.release()).isTrue();
    assertThat(pool.idleBuffers(true, 1000)).isEqualTo(1);
    assertThat(pool.idleBytes(true)).isEqualTo(1024);

    RetainableByteBuffer again = pool.acquire(1024, true);
    assertThat(again.getByteBuffer()).isSameAs(bytes);
    assertThat(again.getByteBuffer().remaining()).as("cleared before reuse").isZero();
    assertThat(pool.idleBytes(true)).isZero();
    // another size step and the other kind are other lists
    RetainableByteBuffer heap = pool.acquire(1025, false);
    assertThat(heap.getByteBuffer().isDirect()).isFalse();
    assertThat(heap.getByteBuffer().capacity()).isEqualTo(2048);
    assertThat(heap.getByteBuffer()).isNotSameAs(bytes);
  }

  @Test
  void aRetainedBuffer_goesBackOnlyWithItsLastRelease() {
    FreeListBufferPool pool = new FreeListBufferPool(65536, -1, 1 << 20, 1 << 20);
    RetainableByteBuffer b = pool.acquire(512, false);
    b.retain();
    assertThat(b.release()).isFalse();
    assertThat(pool.idleBuffers(false, 512)).isZero();
    assertThat(b.release()).isTrue();
    assertThat(pool.idleBuffers(false, 512)).isEqualTo(1);
  }

  @Test
  void theBounds_countAndMemory_leaveTheRestToTheCollector() {
    FreeListBufferPool counted = new FreeListBufferPool(65536, 2, 1 << 20, 1 << 20);
    List<RetainableByteBuffer> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(counted.acquire(100, true));
    }
    held.forEach(RetainableByteBuffer::release);
    assertThat(counted.idleBuffers(true, 100)).isEqualTo(2);

    FreeListBufferPool sized = new FreeListBufferPool(65536, -1, 3 * 1024, 3 * 1024);
    held.clear();
    for (int i = 0; i < 5; i++) {
      held.add(sized.acquire(1024, false));
    }
    held.forEach(RetainableByteBuffer::release);
    assertThat(sized.idleBytes(false)).isEqualTo(3 * 1024);
    assertThat(sized.idleBuffers(false, 1024)).isEqualTo(3);
    assertThat(sized.toString()).contains("heap=3072/3072").contains("direct=0/3072");

    RetainableByteBuffer big = sized.acquire(70_000, false);
    assertThat(big.getByteBuffer().capacity()).isGreaterThanOrEqualTo(70_000);
    big.release();
    assertThat(sized.idleBytes(false))
        .as("larger than the largest size: not pooled")
        .isEqualTo(3 * 1024);
    sized.clear();
    assertThat(sized.idleBytes(false)).isZero();
  }

  @Test
  void manyThreads_neverHoldTheSameBufferAtOnce() throws Exception {
    FreeListBufferPool pool = new FreeListBufferPool(65536, 4, 1 << 20, 1 << 20);
    Set<ByteBuffer> inUse =
        Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(
            threads.submit(
                () -> {
                  int reused = 0;
                  for (int i = 0; i < 20_000; i++) {
                    RetainableByteBuffer b = pool.acquire(1 + (i % 3) * 1024, i % 2 == 0);
                    ByteBuffer bytes = b.getByteBuffer();
                    if (!inUse.add(bytes)) {
                      throw new AssertionError("a buffer handed out twice at once");
                    }
                    inUse.remove(bytes);
                    b.release();
                    reused++;
                  }
                  return reused;
                }));
      }
      for (Future<Integer> f : done) {
        assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(20_000);
      }
    } finally {
      threads.shutdownNow();
    }
    for (boolean direct : new boolean[] {true, false}) {
      for (int size : new int[] {1, 1025, 2049}) {
        assertThat(pool.idleBuffers(direct, size)).isBetween(1, 4);
      }
    }
  }
}
