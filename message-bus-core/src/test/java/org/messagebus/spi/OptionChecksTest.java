// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionChecksTest {

  @Test
  void positive_acceptsAboveZero_andNamesTheOptionOtherwise() {
    assertThat(OptionChecks.positive("x", Duration.ofNanos(1))).isEqualTo(Duration.ofNanos(1));
    assertThatThrownBy(() -> OptionChecks.positive("retryInterval", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retryInterval must be positive: PT0S");
    assertThatThrownBy(() -> OptionChecks.positive("x", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> OptionChecks.positive("retryInterval", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retryInterval");
  }

  @Test
  void notNegative_acceptsZero() {
    assertThat(OptionChecks.notNegative("x", Duration.ZERO)).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> OptionChecks.notNegative("keepaliveInterval", Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keepaliveInterval must not be negative: PT-0.001S");
    assertThatThrownBy(() -> OptionChecks.notNegative("x", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void atLeastOne_acceptsOne() {
    assertThat(OptionChecks.atLeastOne("x", 1)).isEqualTo(1);
    assertThatThrownBy(() -> OptionChecks.atLeastOne("clearEvery", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clearEvery must be at least 1: 0");
  }
}
