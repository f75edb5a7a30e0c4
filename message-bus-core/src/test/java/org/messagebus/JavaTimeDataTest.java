// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZonedDateTime;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code java.time} values in published data, on a plain bus (no Spring, no mapper of the
 * application's): stored as the ISO-8601 strings the README documents. Before this, publishing a
 * record with an {@code Instant} failed ("Java 8 date/time type not supported").
 */
@Timeout(30)
class JavaTimeDataTest {

  record Meeting(String room, Instant startsAt, LocalDate day, OffsetDateTime local) {}

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();

  @AfterEach
  void close() {
    bus.close();
  }

  private String stored(String channel) {
    return bus.backend().backlog(channel, 0).get(0).payload();
  }

  @Test
  void publish_recordWithInstantLocalDateAndOffsetDateTime_storesIso8601Strings() {
    bus.publish(
        "/meetings",
        new Meeting(
            "Ꭺ/1",
            Instant.parse("2026-12-01T10:15:30Z"),
            LocalDate.of(2026, 12, 1),
            OffsetDateTime.parse("2026-12-01T12:15:30+02:00")));

    assertThat(stored("/meetings"))
        .isEqualTo(
            "{\"data\":{\"room\":\"Ꭺ/1\",\"startsAt\":\"2026-12-01T10:15:30Z\","
                + "\"day\":\"2026-12-01\",\"local\":\"2026-12-01T12:15:30+02:00\"},"
                + "\"user_ids\":null,\"group_ids\":null,\"client_ids\":null}");
  }

  @Test
  void publish_javaTimeValues_subscribersReadTheStrings() {
    bus.publish(
        "/meetings",
        new Meeting(
            "r",
            Instant.parse("2026-12-01T10:15:30.120Z"),
            LocalDate.of(2026, 12, 1),
            OffsetDateTime.parse("2026-12-01T10:15:30Z")));

    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) bus.backlog("/meetings", 0).get(0).data();
    assertThat(data)
        .containsEntry("startsAt", "2026-12-01T10:15:30.120Z")
        .containsEntry("day", "2026-12-01")
        .containsEntry("local", "2026-12-01T10:15:30Z");
  }

  @Test
  void publish_everyDocumentedJavaTimeType_hasItsDocumentedForm() {
    Map<String, Object> data = new java.util.LinkedHashMap<>();
    data.put("instant", Instant.parse("2026-12-01T10:15:30Z"));
    data.put("localDate", LocalDate.of(2026, 12, 1));
    data.put("localDateTime", LocalDateTime.of(2026, 12, 1, 10, 15, 30));
    data.put("localTime", LocalTime.of(10, 15, 30));
    data.put("offsetDateTime", OffsetDateTime.parse("2026-12-01T10:15:30-05:00"));
    data.put("zonedDateTime", ZonedDateTime.parse("2026-12-01T10:15:30+01:00[Europe/Paris]"));
    data.put("duration", Duration.ofSeconds(90));
    data.put("period", Period.of(1, 2, 3));
    data.put("date", Date.from(Instant.parse("2026-12-01T10:15:30Z")));

    bus.publish("/types", data);

    assertThat(stored("/types"))
        .isEqualTo(
            "{\"data\":{\"instant\":\"2026-12-01T10:15:30Z\",\"localDate\":\"2026-12-01\","
                + "\"localDateTime\":\"2026-12-01T10:15:30\",\"localTime\":\"10:15:30\","
                + "\"offsetDateTime\":\"2026-12-01T10:15:30-05:00\","
                + "\"zonedDateTime\":\"2026-12-01T10:15:30+01:00\","
                + "\"duration\":\"PT1M30S\",\"period\":\"P1Y2M3D\","
                + "\"date\":\"2026-12-01T10:15:30.000+00:00\"},"
                + "\"user_ids\":null,\"group_ids\":null,\"client_ids\":null}");
  }
}
