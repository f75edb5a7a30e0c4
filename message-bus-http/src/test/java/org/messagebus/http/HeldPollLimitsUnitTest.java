// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The slot bookkeeping of {@link HeldPollLimits} without a server: what counts against a cap, a
 * replacing poll of the same client id, giving a slot back once however often it is called, and the
 * map emptied when every poll has ended (HeldPollLimitsTest in the servlet module covers the 429
 * over HTTP).
 */
class HeldPollLimitsUnitTest {

  private static final String ADDRESS = "address:203.0.113.7";

  private static HeldPollLimits limits(int perAddress, int perUser) {
    return new HeldPollLimits(
        EngineOptions.builder()
            .maxHeldPollsPerAddress(perAddress)
            .maxHeldPollsPerUser(perUser)
            .build());
  }

  @Test
  void distinctClientIds_countUpToTheCap_andTheNextIsRefusedWith429() {
    HeldPollLimits limits = limits(2, 5);
    limits.acquire(ADDRESS, "a");
    limits.acquire(ADDRESS, "b");

    assertThatThrownBy(() -> limits.acquire(ADDRESS, "c"))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.status).isEqualTo(429))
        .hasMessage("too many held polls for this address: at most 2");
    assertThat(limits.heldBy(ADDRESS)).isEqualTo(2);
    // a user's cap is its own
    assertThatCode(() -> limits.acquire("user:7", "x")).doesNotThrowAnyException();
  }

  @Test
  void aReplacingPoll_ofAHeldId_isAdmittedAtTheCap_andTheIdStaysHeldUntilBothEnd() {
    HeldPollLimits limits = limits(1, 5);
    Runnable first = limits.acquire(ADDRESS, "a");
    Runnable second = limits.acquire(ADDRESS, "a");
    assertThat(limits.heldBy(ADDRESS)).isEqualTo(1);

    first.run();
    assertThat(limits.heldBy(ADDRESS)).isEqualTo(1);
    assertThatThrownBy(() -> limits.acquire(ADDRESS, "b")).isInstanceOf(BadRequestException.class);

    second.run();
    assertThat(limits.heldBy(ADDRESS)).isZero();
    limits.acquire(ADDRESS, "b");
    assertThat(limits.heldBy(ADDRESS)).isEqualTo(1);
  }

  @Test
  void givingASlotBackTwice_givesItBackOnce() {
    HeldPollLimits limits = limits(2, 5);
    Runnable first = limits.acquire(ADDRESS, "a");
    Runnable second = limits.acquire(ADDRESS, "a");

    first.run();
    first.run();
    assertThat(limits.heldBy(ADDRESS)).isEqualTo(1); // the second poll still holds "a"

    second.run();
    assertThat(limits.heldBy(ADDRESS)).isZero();
  }

  @Test
  void manyThreads_acquiringAndReleasing_leaveNothingHeld_andAreNeverRefusedBelowTheCap()
      throws Exception {
    int cap = 8;
    HeldPollLimits limits = limits(cap, cap);
    int threads = 4;
    int rounds = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> refusedCounts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        refusedCounts.add(
            pool.submit(
                () -> {
                  start.await();
                  int refused = 0;
                  for (int i = 0; i < rounds; i++) {
                    String id = "c" + ((thread * 7 + i) % 12);
                    try {
                      Runnable release = limits.acquire(ADDRESS, id);
                      // each thread holds at most one id at a time
                      assertThat(limits.heldBy(ADDRESS)).isBetween(1, threads);
                      release.run();
                      release.run();
                    } catch (BadRequestException e) {
                      refused++;
                    }
                  }
                  return refused;
                }));
      }
      start.countDown();
      for (Future<Integer> f : refusedCounts) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isZero(); // never more than 4 of 8 held
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(limits.heldBy(ADDRESS)).isZero();
  }
}
