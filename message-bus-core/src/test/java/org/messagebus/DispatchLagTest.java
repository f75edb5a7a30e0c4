// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.messagebus.observe.BusObserver;

/** The dispatch lag's matching and sampling, on times the test chooses. */
class DispatchLagTest {

  private static final long MS = 1_000_000;

  private final List<Long> lags = new ArrayList<>();
  private final BusObserver observer =
      new BusObserver() {
        @Override
        public void dispatchLag(long nanos) {
          lags.add(nanos);
        }
      };

  @Test
  void sample_takesTheFirstPublish_thenOnePerInterval() {
    DispatchLag lag = new DispatchLag(MS);
    assertThat(lag.sample(5 * MS)).isTrue(); // the first, whatever the clock says
    assertThat(lag.sample(5 * MS + 1)).isFalse();
    assertThat(lag.sample(6 * MS - 1)).isFalse();
    assertThat(lag.sample(6 * MS)).isTrue();
    assertThat(lag.sample(6 * MS + MS / 2)).isFalse();
    assertThat(lag.sample(100 * MS)).isTrue();
    // nanoTime may be negative and wrap: only differences count
    DispatchLag negative = new DispatchLag(MS);
    assertThat(negative.sample(Long.MIN_VALUE + 10)).isTrue();
    assertThat(negative.sample(Long.MIN_VALUE + 10 + MS - 1)).isFalse();
    assertThat(negative.sample(Long.MIN_VALUE + 10 + MS)).isTrue();
  }

  @Test
  void zeroInterval_samplesEveryPublish() {
    DispatchLag lag = new DispatchLag(0);
    for (int i = 0; i < 5; i++) {
      assertThat(lag.sample(7 * MS)).isTrue();
    }
  }

  @Test
  void aLagIsRecordedOnce_whicheverSideArrivesFirst() {
    DispatchLag lag = new DispatchLag(0);
    // the publish returns first, then the message is dispatched
    lag.beforePublish();
    lag.afterPublish("/a", 1, 10 * MS, observer);
    lag.onDispatch("/a", 1, 13 * MS, observer);
    // the message is dispatched while its publish is still in flight
    lag.beforePublish();
    lag.onDispatch("/a", 2, 22 * MS, observer);
    lag.afterPublish("/a", 2, 20 * MS, observer);
    assertThat(lags).containsExactly(3 * MS, 2 * MS);
    assertThat(lag.pending()).isZero();
  }

  @Test
  void anotherProcesssMessage_hasNoLag_andLeavesNothingBehindWhenIdle() {
    DispatchLag lag = new DispatchLag(0);
    lag.onDispatch("/a", 7, observer); // nothing in flight: not even looked up
    assertThat(lag.pending()).isZero();
    lag.beforePublish();
    lag.onDispatch("/a", 8, 1, observer); // dispatched while ours (id 9) is in flight
    lag.afterPublish("/a", 9, 0, observer);
    lag.onDispatch("/a", 9, 4, observer);
    assertThat(lags).containsExactly(4L);
    assertThat(lag.pending()).isEqualTo(1); // id 8's entry waits until the bound drops it
  }
}
