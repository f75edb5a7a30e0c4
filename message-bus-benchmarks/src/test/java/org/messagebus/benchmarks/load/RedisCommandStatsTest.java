// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisCommandStatsTest {

  @Test
  void parse_readsCallsPerCommand_withoutInfo() {
    String info =
        "# Commandstats\r\n"
            + "cmdstat_mget:calls=53119,usec=1000,usec_per_call=0.02,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_info:calls=7,usec=70,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r\n"
            + "cmdstat_client|setinfo:calls=2,usec=1,usec_per_call=0.50\r\n"
            + "cmdstat_evalsha:calls=40\r\n";
    assertThat(RedisCommandStats.parse(info))
        .containsExactly(
            Map.entry("client|setinfo", 2L), Map.entry("evalsha", 40L), Map.entry("mget", 53119L));
  }

  @Test
  void delta_keepsOnlyCommandsCalledInBetween() {
    Map<String, Long> before = Map.of("mget", 10L, "get", 5L);
    Map<String, Long> after = Map.of("mget", 25L, "get", 5L, "zrangebyscore", 3L);
    assertThat(RedisCommandStats.delta(before, after))
        .containsExactly(Map.entry("mget", 15L), Map.entry("zrangebyscore", 3L));
  }
}
