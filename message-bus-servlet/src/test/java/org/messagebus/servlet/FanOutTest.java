package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Live messages written by several fan-out lanes: every streaming client receives every message
 * once and in publish order, also when a lane coalesces a backlog of messages into one write.
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
          for (String piece : text.split("\r\n\\|\r\n")) {
            int start = piece.indexOf('[');
            if (start < 0) {
              continue;
            }
            for (Map<String, Object> m : ServerFixture.messages(piece.substring(start))) {
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
