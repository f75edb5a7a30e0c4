// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Records a stream of numbers that must go up by exactly one each time: no gap, no duplicate, no
 * reordering. Fed by one thread at a time (a subscription never calls its listener concurrently);
 * read from any thread.
 */
final class ContiguousSequence {

  private final AtomicLong first = new AtomicLong(-1);
  private final AtomicLong last = new AtomicLong(-1);
  private final AtomicLong count = new AtomicLong();
  private final AtomicReference<String> failure = new AtomicReference<>();

  /** Records the next value; the first value may be anything, each later one must follow it. */
  void accept(long value) {
    long previous = last.get();
    if (previous < 0) {
      first.set(value);
    } else if (value != previous + 1) {
      failure.compareAndSet(null, "after " + previous + " came " + value);
    }
    last.set(value);
    count.incrementAndGet();
  }

  /** The first value recorded, or -1. */
  long first() {
    return first.get();
  }

  /** The last value recorded, or -1. */
  long last() {
    return last.get();
  }

  /** How many values were recorded. */
  long count() {
    return count.get();
  }

  /** The first break in the sequence, or null while it is contiguous. */
  @Nullable String failure() {

    return failure.get();
  }
}
