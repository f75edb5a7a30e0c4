// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * How much a backend keeps: the backlog limits every backend honours (SPEC §3.1). Immutable; build
 * one with {@link #builder()} or take {@link #DEFAULTS}.
 *
 * <p>All processes sharing one Redis or PostgreSQL store must use the same values: whoever
 * publishes trims.
 *
 * @param maxBacklogSize the number of newest messages kept per channel
 * @param maxGlobalBacklogSize the number of newest messages kept in the global backlog
 * @param maxBacklogAge a channel (backlog and id counter) is removed after this long without a
 *     publish
 * @param clearEvery trimming runs only when the new id is a multiple of this number
 */
public record Retention(
    int maxBacklogSize, int maxGlobalBacklogSize, Duration maxBacklogAge, int clearEvery) {

  /** Default of {@link #maxBacklogSize()}: 1,000 messages. */
  public static final int DEFAULT_MAX_BACKLOG_SIZE = 1000;

  /** Default of {@link #maxGlobalBacklogSize()}: 2,000 messages. */
  public static final int DEFAULT_MAX_GLOBAL_BACKLOG_SIZE = 2000;

  /** Default of {@link #maxBacklogAge()}: 7 days. */
  public static final Duration DEFAULT_MAX_BACKLOG_AGE = Duration.ofDays(7);

  /** Default of {@link #clearEvery()}: trim on every publish. */
  public static final int DEFAULT_CLEAR_EVERY = 1;

  /** The defaults: 1,000 per channel, 2,000 global, 7 days, trim on every publish. */
  public static final Retention DEFAULTS =
      new Retention(
          DEFAULT_MAX_BACKLOG_SIZE,
          DEFAULT_MAX_GLOBAL_BACKLOG_SIZE,
          DEFAULT_MAX_BACKLOG_AGE,
          DEFAULT_CLEAR_EVERY);

  /**
   * Validates the components.
   *
   * @param maxBacklogSize see the record component
   * @param maxGlobalBacklogSize see the record component
   * @param maxBacklogAge see the record component
   * @param clearEvery see the record component
   * @throws IllegalArgumentException naming the option when a value is out of range
   */
  public Retention {
    if (maxBacklogSize < 1) {
      throw new IllegalArgumentException("maxBacklogSize must be at least 1: " + maxBacklogSize);
    }
    if (maxGlobalBacklogSize < 1) {
      throw new IllegalArgumentException(
          "maxGlobalBacklogSize must be at least 1: " + maxGlobalBacklogSize);
    }
    Objects.requireNonNull(maxBacklogAge, "maxBacklogAge");
    if (maxBacklogAge.isNegative() || maxBacklogAge.isZero()) {
      throw new IllegalArgumentException("maxBacklogAge must be positive: " + maxBacklogAge);
    }
    if (clearEvery < 1) {
      throw new IllegalArgumentException("clearEvery must be at least 1: " + clearEvery);
    }
  }

  /**
   * Starts a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding this retention's values.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder()
        .maxBacklogSize(maxBacklogSize)
        .maxGlobalBacklogSize(maxGlobalBacklogSize)
        .maxBacklogAge(maxBacklogAge)
        .clearEvery(clearEvery);
  }

  /** Builds a {@link Retention}; each setter documents its default. Not thread-safe. */
  public static final class Builder {
    private int maxBacklogSize = DEFAULT_MAX_BACKLOG_SIZE;
    private int maxGlobalBacklogSize = DEFAULT_MAX_GLOBAL_BACKLOG_SIZE;
    private Duration maxBacklogAge = DEFAULT_MAX_BACKLOG_AGE;
    private int clearEvery = DEFAULT_CLEAR_EVERY;

    private Builder() {}

    /**
     * Sets the number of newest messages kept per channel. Default {@value
     * #DEFAULT_MAX_BACKLOG_SIZE}.
     *
     * @param size at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public Builder maxBacklogSize(int size) {
      this.maxBacklogSize = OptionChecks.atLeastOne("maxBacklogSize", size);
      return this;
    }

    /**
     * Sets the number of newest messages kept in the global backlog. Default {@value
     * #DEFAULT_MAX_GLOBAL_BACKLOG_SIZE}.
     *
     * @param size at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public Builder maxGlobalBacklogSize(int size) {
      this.maxGlobalBacklogSize = OptionChecks.atLeastOne("maxGlobalBacklogSize", size);
      return this;
    }

    /**
     * Sets how long a channel survives without a publish. Default 7 days.
     *
     * @param age positive
     * @return this builder
     * @throws IllegalArgumentException if {@code age} is zero or negative
     */
    public Builder maxBacklogAge(Duration age) {
      this.maxBacklogAge = OptionChecks.positive("maxBacklogAge", age);
      return this;
    }

    /**
     * Sets how often trimming runs: only when the new id is a multiple of this. Default {@value
     * #DEFAULT_CLEAR_EVERY}.
     *
     * @param every at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code every < 1}
     */
    public Builder clearEvery(int every) {
      this.clearEvery = OptionChecks.atLeastOne("clearEvery", every);
      return this;
    }

    /**
     * Builds the retention.
     *
     * @return the immutable retention
     */
    public Retention build() {
      return new Retention(maxBacklogSize, maxGlobalBacklogSize, maxBacklogAge, clearEvery);
    }
  }
}
