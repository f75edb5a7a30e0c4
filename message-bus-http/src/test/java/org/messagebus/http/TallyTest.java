// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A fan-out's tally: counted in plain fields, told to the observer once, then empty. */
class TallyTest {

  /** Records each call. */
  private static final class Calls implements HttpObserver {
    final List<String> calls = new ArrayList<>();

    @Override
    public void delivered(int messages) {
      calls.add("delivered " + messages);
    }

    @Override
    public void bytesWritten(long bytes) {
      calls.add("bytes " + bytes);
    }
  }

  @Test
  void aFanOut_isToldOnce_withTheSums() {
    Calls o = new Calls();
    Tally t = new Tally();
    assertThat(t.add(o, 1, 0)).isTrue();
    assertThat(t.add(o, 0, 120)).isTrue();
    assertThat(t.add(o, 2, 30)).isTrue();
    assertThat(o.calls).isEmpty();
    t.flush();
    assertThat(o.calls).containsExactly("delivered 3", "bytes 150");
    t.flush(); // nothing new: nothing told
    assertThat(o.calls).hasSize(2);
  }

  @Test
  void anotherObserver_isRefused_andToldDirectlyByTheClient() {
    Calls first = new Calls();
    Calls other = new Calls();
    Tally t = new Tally();
    assertThat(t.add(first, 1, 10)).isTrue();
    assertThat(t.add(other, 1, 10)).isFalse();
    t.flush();
    assertThat(first.calls).containsExactly("delivered 1", "bytes 10");
    assertThat(other.calls).isEmpty();
    // after a flush the tally takes whichever observer comes first
    assertThat(t.add(other, 1, 0)).isTrue();
    t.flush();
    assertThat(other.calls).containsExactly("delivered 1");
  }
}
