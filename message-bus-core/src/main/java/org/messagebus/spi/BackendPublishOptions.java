// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Per-publish overrides handed to {@link Backend#publish}. A null component means "use the
 * backend's {@link Retention}".
 *
 * @param maxBacklogAge retention by inactivity for this publish, or null
 * @param maxBacklogSize number of messages kept in this channel's backlog, or null
 * @param queueInMemory whether a backend that cannot write right now may queue the message in
 *     memory (Redis read-only); null means the backend's default (true)
 */
public record BackendPublishOptions(
    @Nullable Duration maxBacklogAge,
    @Nullable Integer maxBacklogSize,
    @Nullable Boolean queueInMemory) {

  /** No overrides. */
  public static final BackendPublishOptions NONE = new BackendPublishOptions(null, null, null);

  /**
   * Validates the components.
   *
   * @param maxBacklogAge see the record component
   * @param maxBacklogSize see the record component
   * @param queueInMemory see the record component
   * @throws IllegalArgumentException if an age is not positive or a size is below 1
   */
  public BackendPublishOptions {
    if (maxBacklogAge != null && (maxBacklogAge.isNegative() || maxBacklogAge.isZero())) {
      throw new IllegalArgumentException("maxBacklogAge must be positive: " + maxBacklogAge);
    }
    if (maxBacklogSize != null && maxBacklogSize < 1) {
      throw new IllegalArgumentException("maxBacklogSize must be at least 1: " + maxBacklogSize);
    }
  }

  /**
   * Returns the age to apply: the override or the retention default.
   *
   * @param retention the backend's retention
   * @return the effective age
   */
  public Duration effectiveMaxBacklogAge(Retention retention) {
    return maxBacklogAge != null ? maxBacklogAge : retention.maxBacklogAge();
  }

  /**
   * Returns the size to apply: the override or the retention default.
   *
   * @param retention the backend's retention
   * @return the effective size
   */
  public int effectiveMaxBacklogSize(Retention retention) {
    return maxBacklogSize != null ? maxBacklogSize : retention.maxBacklogSize();
  }
}
