// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.messagebus.spi.Backend;

/**
 * The hooks both contract suites share ({@link BackendContractTest}, {@link
 * MessageBusContractTest}): a backend module overrides them where its store legitimately differs.
 *
 * <p><b>Time.</b> No test of the suites waits a fixed delay. Age-based expiry is tested by
 * {@linkplain #ageStore ageing the store}: the suite makes the stored data older by a given amount
 * (as the backend's own clock would see it), then waits for the observable effect (the backlog is
 * gone) or publishes, for a backend that expires on publish. Everything else waits for a message or
 * a state with {@link #timeout()} as the limit.
 */
public abstract class AbstractContractTest {

  /** Creates the suite; subclasses need no constructor arguments. */
  protected AbstractContractTest() {}

  /**
   * Tells whether old messages are deleted only when a message is published to the store
   * (PostgreSQL) rather than in the background after {@code maxBacklogAge} of inactivity (memory,
   * Redis). Such a backend also keeps its ids going after an expiry. Default: false.
   *
   * @return true when expiry happens only on publish
   */
  protected boolean expiresOnlyOnPublish() {
    return false;
  }

  /**
   * Returns how long a test waits for a message to be delivered or a background effect to show.
   * Default: 10 seconds, generous on purpose; a passing test never waits this long.
   *
   * @return the timeout
   */
  protected Duration timeout() {
    return Duration.ofSeconds(10);
  }

  /**
   * Returns how many messages the publish-while-subscribing test publishes. Default 20,000; a
   * backend whose every publish is a commit (PostgreSQL) may lower it.
   *
   * @return the count, at least 100
   */
  protected int concurrentPublishCount() {
    return 20_000;
  }

  /**
   * Makes everything the backend's store holds look older by {@code by}, exactly as if that much
   * time had passed without a publish, so that the expiry tests need not wait for it: the memory
   * backend moves the clock it was built with, Redis shortens the time to live of every key of the
   * store by {@code by} ({@code PTTL}, then {@code PEXPIRE}; a key whose time runs out is deleted),
   * PostgreSQL moves {@code added_at} of every row back by {@code by}. Whatever the backend does
   * with aged data (expire it in the background, or on the next publish) it does on its own; the
   * suite observes the result. The tests use ages of an hour, so the wall-clock time a test takes
   * never matters.
   *
   * <p>Default: the expiry tests are skipped, with a message naming this hook.
   *
   * @param backend a backend the test created (for the bus suite: the bus's backend)
   * @param by how much older, positive
   * @throws Exception if the store cannot be aged
   */
  protected void ageStore(Backend backend, Duration by) throws Exception {
    Assumptions.abort(
        getClass().getSimpleName()
            + " does not override ageStore(Backend, Duration), which the expiry tests need");
  }
}
