// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Live messages written by several fan-out lanes: every streaming client receives every message
 * once and in publish order, each in its own chunk, also when a lane takes a backlog of messages at
 * once.
 */
class FanOutTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int CLIENTS = 6;
  private static final int MESSAGES = 200;

  @Test
  void everyStreamingClient_getsEveryMessageOnceInOrder_withSeveralLanes() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .longPollingInterval(Duration.ofSeconds(30))
                .fanOutThreads(3))) {
      List<RawConnection> conns = new ArrayList<>();
      try {
        for (int i = 0; i < CLIENTS; i++) {
          RawConnection c = RawConnection.open(f.port());
          c.send(
              RawConnection.post(
                  "/message-bus/fan" + i + "/poll", "application/x-www-form-urlencoded", "/fan=0"));
          conns.add(c);
        }
        org.awaitility.Awaitility.await()
            .atMost(WAIT)
            .until(() -> f.server.filter().heldPolls() == CLIENTS);

        // Published in a burst: the lanes fall behind and coalesce.
        for (int n = 0; n < MESSAGES; n++) {
          f.bus.publish("/fan", Map.of("n", n));
        }

        for (RawConnection c : conns) {
          String text = c.awaitContains("{\"n\":" + (MESSAGES - 1) + "}", WAIT);
          List<Integer> seen = new ArrayList<>();
          for (String[] chunk : Streams.chunks(Streams.rawBody(text))) {
            String piece = chunk[1];
            // Each piece is exactly one chunk (SPEC §4.12), also when a lane writes a backlog.
            assertThat(piece).endsWith("\r\n|\r\n");
            assertThat(piece.indexOf("\r\n|\r\n")).isEqualTo(piece.length() - 5);
            for (Map<String, Object> m :
                ServerFixture.messages(piece.substring(0, piece.length() - 5))) {
              @SuppressWarnings("unchecked")
              Map<String, Object> data = (Map<String, Object>) m.get("data");
              seen.add((Integer) data.get("n"));
            }
          }
          List<Integer> expected = new ArrayList<>();
          for (int n = 0; n < MESSAGES; n++) {
            expected.add(n);
          }
          assertThat(seen).isEqualTo(expected);
        }
      } finally {
        for (RawConnection c : conns) {
          c.close();
        }
      }
    }
  }
}
