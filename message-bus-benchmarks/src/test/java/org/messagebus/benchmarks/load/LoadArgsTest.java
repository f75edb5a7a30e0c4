// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadArgsTest {

  @Test
  void onlyPort_givesEveryDefault() {
    LoadArgs a = LoadArgs.parse("port=9292");
    assertThat(a.port()).isEqualTo(9292);
    assertThat(a.host()).isEqualTo("127.0.0.1");
    assertThat(a.n()).isEqualTo(LoadArgs.DEFAULT_N);
    assertThat(a.mode()).isEqualTo(PollMode.STREAMING);
    assertThat(a.keepAlive()).isTrue();
    assertThat(a.rate()).isEqualTo(LoadArgs.DEFAULT_RATE);
    assertThat(a.count()).isEqualTo(LoadArgs.DEFAULT_COUNT);
    assertThat(a.warmup()).isEqualTo(LoadArgs.DEFAULT_WARMUP);
    assertThat(a.channel()).isEqualTo("/load");
    assertThat(a.threads()).isEqualTo(1);
    assertThat(a.sources()).isEqualTo(1);
    assertThat(a.maxConnecting()).isEqualTo(LoadArgs.DEFAULT_MAX_CONNECTING);
    assertThat(a.rampSeconds()).isEqualTo(LoadArgs.DEFAULT_RAMP_SECONDS);
    assertThat(a.warmupSeconds()).isEqualTo(LoadArgs.DEFAULT_WARMUP_SECONDS);
    assertThat(a.drainSeconds()).isEqualTo(LoadArgs.DEFAULT_DRAIN_SECONDS);
    assertThat(a.pollIntervalMs()).isEqualTo(LoadArgs.DEFAULT_POLL_INTERVAL_MS);
    assertThat(a.repollDelayMs()).isZero();
    assertThat(a.redis()).isEmpty();
    assertThat(a.label()).isEmpty();
    assertThat(a.out()).isEmpty();
    assertThat(a.diagnostics()).isEmpty();
    assertThat(a.expected()).isEqualTo(1000L * 60);
    assertThat(a.ports()).isEmpty();
    assertThat(a.subscriberPorts()).containsExactly(9292);
    assertThat(a.channels()).isEqualTo(1);
    assertThat(a.channelOf(7)).isEqualTo("/load");
    assertThat(a.sampleSeconds()).isZero();
    assertThat(a.samplesOut()).isEmpty();
  }

  @Test
  void channels_spreadBrowsersAndMessagesRoundRobin() {
    LoadArgs a = LoadArgs.parse("port=1", "n=7", "count=10", "channels=3");
    assertThat(a.channelOf(0)).isEqualTo("/load/0");
    assertThat(a.channelOf(5)).isEqualTo("/load/2");
    // messages 0..9 on channels 0,1,2,0,1,2,...: 4, 3 and 3 of them
    assertThat(a.share(10, 0)).isEqualTo(4);
    assertThat(a.share(10, 4)).isEqualTo(3);
    assertThat(a.share(10, 5)).isEqualTo(3);
    // browsers 0..6 on channels 0,1,2,0,1,2,0: 3 × 4 + 2 × 3 + 2 × 3
    assertThat(a.expected()).isEqualTo(24);
    assertThat(a.deliveries(3)).isEqualTo(7);
  }

  @Test
  void ports_spreadTheBrowsers_controlStaysOnPort() {
    LoadArgs a = LoadArgs.parse("port=9001", "ports=9001,9002, 9003", "threads=6");
    assertThat(a.port()).isEqualTo(9001);
    assertThat(a.ports()).containsExactly(9001, 9002, 9003);
    assertThat(a.subscriberPorts()).containsExactly(9001, 9002, 9003);
  }

  @Test
  void everyOption_isRead() {
    LoadArgs a =
        LoadArgs.parse(
            "port=1",
            "host=::1",
            "n=20",
            "mode=longpoll",
            "keepAlive=false",
            "rate=2.5",
            "count=10",
            "warmup=0",
            "channel=/x",
            "threads=2",
            "sources=3",
            "maxConnecting=5",
            "rampSeconds=6",
            "warmupSeconds=7",
            "drainSeconds=0",
            "pollIntervalMs=9",
            "repollDelayMs=100",
            "redis=none",
            "label=ruby",
            "out=/tmp/r.jsonl",
            "diagnostics=/tmp/d.txt");
    assertThat(a)
        .isEqualTo(
            new LoadArgs(
                "::1",
                1,
                20,
                PollMode.LONGPOLL,
                false,
                2.5,
                10,
                0,
                "/x",
                2,
                3,
                5,
                6,
                7,
                0,
                9,
                100,
                "none",
                "ruby",
                "/tmp/r.jsonl",
                "/tmp/d.txt",
                List.of(),
                1,
                0,
                "",
                "",
                0,
                LoadArgs.DEFAULT_STORM_SECONDS,
                LoadArgs.DEFAULT_JIT_QUIET_PERCENT,
                LoadArgs.DEFAULT_JIT_ROUND_SECONDS,
                LoadArgs.DEFAULT_JIT_WARMUP_MAX_SECONDS));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "n=20 | missing option port",
        "port=1 bogus=2 | unknown option bogus",
        "port=1 port=2 | given twice",
        "port=x | port must be a whole number",
        "port=0 | port must be in 1..65535",
        "port=1 n=0 | n must be in",
        "port=1 rate=0 | rate must be in",
        "port=1 storm=flood | storm must be repoll or outage",
        "port=1 backoffJitter=-1 | backoffJitter must be in",
        "port=1 rate=fast | rate must be a number",
        "port=1 mode=grpc | mode must be streaming, longpoll, poll, sse or websocket",
        "port=1 keepAlive=yes | keepAlive must be true or false",
        "port=1 sources=251 | sources must be in 1..250",
        "port=1 channel=load | channel must start with /",
        "port | arguments are key=value",
        "port=1 ports=1,x threads=2 | ports must be port numbers",
        "port=1 ports=1,0 threads=2 | ports must be between 1 and 65535",
        "port=1 ports=1,2 threads=3 | threads (3) must be a multiple of the number of ports (2)",
      })
  void badArguments_areRejectedNamingTheOption(String args, String message) {
    assertThatThrownBy(() -> LoadArgs.parse(args.trim().split(" ")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
