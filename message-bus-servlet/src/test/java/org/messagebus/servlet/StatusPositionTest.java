// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.JsonTransportCodec;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.http.EngineProbe;

/**
 * A reply's {@code /__status} never names a position below a message the same reply carries (SPEC
 * §4.6), also when a message lands between the poll's read of the channels' positions and its read
 * of their backlogs. Clients apply the status after the messages, so a lower status moved them back
 * and they received that message again on their next poll (issue 11, item 1).
 */
class StatusPositionTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final RacingBackend backend = new RacingBackend();
  private final MessageBus bus =
      MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();

  @AfterEach
  void close() {
    bus.close();
  }

  /** A message for another client, which "me" must skip, then "late" racing the poll's reads. */
  private void publishWithholdingAndArmRace() {
    bus.publish("/foo", "for other", PublishOptions.builder().clientIds("other").build());
    backend.afterNextLastIds(() -> bus.publish("/foo", "late"));
  }

  @Test
  void backlog_messageLandingBetweenTheReads_isNotAboveTheStatus() {
    publishWithholdingAndArmRace();
    LinkedHashMap<String, Long> subs = new LinkedHashMap<>(Map.of("/foo", 0L));
    EngineProbe.Poll me = EngineProbe.poll("me", subs, JsonTransportCodec.defaultMapper());

    List<Message> reply = me.backlog(bus);

    assertThat(backend.fired()).isTrue();
    assertThat(reply)
        .filteredOn(m -> !m.isStatus())
        .extracting(Message::data)
        .containsExactly("late");
    long late = reply.get(0).messageId();
    Message status = reply.get(reply.size() - 1);
    assertThat(status.isStatus()).isTrue();
    assertThat(((Map<?, ?>) status.data()).get("/foo")).isEqualTo(late);
    // The position the client holds afterwards, on the server's side too (the held poll's mark).
    assertThat(me.subscriptions()).containsEntry("/foo", late);
    assertThat(me.positionsAfter(reply)).containsEntry("/foo", late);
  }

  @Test
  void immediatePoll_messageLandingBetweenTheReads_isDeliveredOnce() throws Exception {
    try (ServerFixture f = new ServerFixture(bus, HttpTransportOptions.builder().build())) {
      publishWithholdingAndArmRace();
      Map<String, Long> positions = new LinkedHashMap<>(Map.of("/foo", 0L));

      List<Map<String, Object>> first = f.pollNow("me", form(positions));
      apply(positions, first);
      List<Map<String, Object>> second = f.pollNow("me", form(positions));

      assertThat(backend.fired()).isTrue();
      assertStatusNotBelowMessages(first);
      assertThat(first)
          .filteredOn(m -> !"/__status".equals(m.get("channel")))
          .extracting(m -> m.get("data"))
          .containsExactly("late");
      assertThat(second).isEmpty();
    }
  }

  @Test
  void stream_messageLandingBetweenTheReads_isNotAboveTheStatusNorSentAgain() throws Exception {
    try (ServerFixture f =
            new ServerFixture(
                bus,
                HttpTransportOptions.builder()
                    .longPollingInterval(Duration.ofSeconds(30))
                    .build());
        RawConnection c = RawConnection.open(f.port())) {
      publishWithholdingAndArmRace();
      c.send(
          RawConnection.post(
              "/message-bus/me/poll", "application/x-www-form-urlencoded", "/foo=0&__seq=1"));
      c.awaitContains("/__status", WAIT);
      org.awaitility.Awaitility.await()
          .atMost(WAIT)
          .until(() -> f.server.filter().heldPolls() == 1);
      f.bus.publish("/foo", "after");
      String raw = c.awaitContains("\"after\"", WAIT);

      assertThat(backend.fired()).isTrue();
      List<String> pieces = Streams.pieces(raw);
      List<Map<String, Object>> firstPiece = ServerFixture.messages(pieces.get(0));
      assertStatusNotBelowMessages(firstPiece);
      // Each message once on the stream: the held poll's own catch-up and the live push of "late"
      // are dropped by its position.
      StringJoiner all = new StringJoiner(",");
      pieces.forEach(all::add);
      assertThat(all.toString().split("\"late\"", -1)).hasSize(2);
      assertThat(all.toString().split("\"after\"", -1)).hasSize(2);
    }
  }

  /** Every message of a reply is at or below the position its status names for its channel. */
  static void assertStatusNotBelowMessages(List<Map<String, Object>> reply) {
    Map<?, ?> status =
        reply.stream()
            .filter(m -> "/__status".equals(m.get("channel")))
            .map(m -> (Map<?, ?>) m.get("data"))
            .findFirst()
            .orElse(Map.of());
    for (Map<String, Object> m : reply) {
      Object at = status.get(m.get("channel"));
      if (at != null) {
        assertThat(((Number) at).longValue())
            .as("status of %s vs. message %s in the same reply", m.get("channel"), m)
            .isGreaterThanOrEqualTo(((Number) m.get("message_id")).longValue());
      }
    }
  }

  /** Applies a reply as the JavaScript and Java clients do: the messages, then the status. */
  static void apply(Map<String, Long> positions, List<Map<String, Object>> reply) {
    for (Map<String, Object> m : reply) {
      if ("/__status".equals(m.get("channel"))) {
        ((Map<?, ?>) m.get("data"))
            .forEach((ch, id) -> positions.put((String) ch, ((Number) id).longValue()));
      } else {
        positions.put((String) m.get("channel"), ((Number) m.get("message_id")).longValue());
      }
    }
  }

  private static String form(Map<String, Long> positions) {
    StringJoiner form = new StringJoiner("&");
    positions.forEach((ch, id) -> form.add(ch.replace("/", "%2F") + "=" + id));
    return form.toString();
  }
}
