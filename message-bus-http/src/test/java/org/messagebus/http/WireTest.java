// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A Server-Sent Event written into one array has the bytes of its id line and data joined. */
class WireTest {

  private static final byte[] DATA =
      "data: {\"global_id\":1,\"message_id\":1,\"channel\":\"/a\",\"data\":\"x\"}\n\n"
          .getBytes(StandardCharsets.UTF_8);

  @Test
  void eventIsTheIdLineFollowedByTheData() {
    assertThat(new String(Wire.sseEvent(new long[] {7, 12345}, DATA), StandardCharsets.UTF_8))
        .isEqualTo("id: 7,12345\n" + new String(DATA, StandardCharsets.UTF_8));
  }

  @Test
  void eventMatchesTheIdLineForEdgePositions() {
    long[][] cases = {
      {},
      {0},
      {-1},
      {9, 10, 99, 100},
      {-10, -9, 1_000_000_007L},
      {Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1}
    };
    for (long[] positions : cases) {
      assertThat(Wire.sseEvent(positions, DATA))
          .as("positions %s", java.util.Arrays.toString(positions))
          .isEqualTo(Wire.concat(Wire.sseId(positions), DATA));
    }
  }
}
