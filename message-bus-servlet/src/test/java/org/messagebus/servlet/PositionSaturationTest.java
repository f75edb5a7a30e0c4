// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A position beyond 64 bits saturates on every path, as the form path always did: a huge one is a
 * client ahead of the channel (a {@code /__status}, SPEC §4.6), a hugely negative one a look-behind
 * from the start. JSON integers used to wrap around ({@code 2^64 + 5} read as 5).
 */
class PositionSaturationTest {

  private static final String TWO_TO_64_PLUS_5 = "18446744073709551621";
  private static final String MINUS_TWO_TO_64_MINUS_1 = "-18446744073709551617";
  private static ServerFixture f;

  @BeforeAll
  static void start() {
    f = ServerFixture.start(HttpTransportOptions.builder());
    IntStream.rangeClosed(1, 10).forEach(i -> f.bus.publish("/foo", "m" + i));
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static List<Map<String, Object>> jsonPoll(String body) throws Exception {
    HttpResponse<String> r =
        f.send(
            HttpRequest.newBuilder(f.uri("/message-bus/abc/poll?dlp=t"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return ServerFixture.messages(r.body());
  }

  private static final Map<String, Object> AHEAD_STATUS =
      Map.of("global_id", -1, "message_id", -1, "channel", "/__status", "data", Map.of("/foo", 10));

  @Test
  void hugeJsonPosition_isAClientAhead_likeTheForm() throws Exception {
    assertThat(jsonPoll("{\"/foo\":" + TWO_TO_64_PLUS_5 + "}")).containsExactly(AHEAD_STATUS);
    assertThat(f.pollNow("abc", "/foo=" + TWO_TO_64_PLUS_5)).containsExactly(AHEAD_STATUS);
  }

  @Test
  void hugeJsonFloat_isAClientAhead_too() throws Exception {
    assertThat(jsonPoll("{\"/foo\":1e300}")).containsExactly(AHEAD_STATUS);
  }

  @Test
  void hugelyNegativeJsonPosition_looksBehindFromTheStart_likeTheForm() throws Exception {
    List<Map<String, Object>> json = jsonPoll("{\"/foo\":" + MINUS_TWO_TO_64_MINUS_1 + "}");
    List<Map<String, Object>> form = f.pollNow("abc", "/foo=" + MINUS_TWO_TO_64_MINUS_1);

    assertThat(json).hasSize(10).isEqualTo(form);
    assertThat(json.get(0).get("data")).isEqualTo("m1");
  }

  @Test
  void longMinValue_isAPosition_notFromNow() throws Exception {
    // Long.MIN_VALUE is the internal "from now" marker; as a client's value it looks behind.
    assertThat(jsonPoll("{\"/foo\":-9223372036854775808}")).hasSize(10);
  }
}
