// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * The checks the builders of the bus, its backends and its transports apply to an option's value,
 * with one wording for every module: {@code <option> must be positive: <value>}. Each returns the
 * value it accepted, so a setter reads {@code this.x = OptionChecks.positive("x", x)}.
 */
public final class OptionChecks {

  private OptionChecks() {}

  /**
   * Accepts a duration above zero.
   *
   * @param option the option's name, for the message
   * @param value the value
   * @return {@code value}
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if it is zero or negative
   */
  public static Duration positive(String option, Duration value) {
    Objects.requireNonNull(value, option);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(option + " must be positive: " + value);
    }
    return value;
  }

  /**
   * Accepts a duration of zero or more.
   *
   * @param option the option's name, for the message
   * @param value the value
   * @return {@code value}
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if it is negative
   */
  public static Duration notNegative(String option, Duration value) {
    Objects.requireNonNull(value, option);
    if (value.isNegative()) {
      throw new IllegalArgumentException(option + " must not be negative: " + value);
    }
    return value;
  }

  /**
   * Accepts a count of at least 1.
   *
   * @param option the option's name, for the message
   * @param value the value
   * @return {@code value}
   * @throws IllegalArgumentException if it is below 1
   */
  public static int atLeastOne(String option, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be at least 1: " + value);
    }
    return value;
  }
}
