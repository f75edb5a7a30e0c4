// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The application's own JSON mapper (Jackson 2 or Jackson 3) writes the message data; the bus keeps
 * the envelope and the formatting Ruby's: an application mapper that indents, escapes non-ASCII
 * characters and {@code /}, and leaves out nulls stores the same bytes as the bus's own mapper
 * (SPEC §1.4, Appendix A), and only the data's content is the application's.
 */
@Timeout(30)
class ApplicationMapperTest {

  /** Appendix A: Hebrew with a point, a slash, a raw line separator. */
  private static final String TRICKY = "\u05dd\u05d5\u05b9/x\u2028";

  private static final String APPENDIX_A_FOO =
      "{\"data\":{\"a\":1,\"s\":\""
          + TRICKY
          + "\"},\"user_ids\":[1,\"2\"],\"group_ids\":null,\"client_ids\":null}";

  private static final PublishOptions USERS_1_AND_2 =
      PublishOptions.builder().userIds(1L, "2").build();

  /** A room id the application writes as a string with its own serializer. */
  record RoomId(long value) {
    @Override
    public String toString() {
      return "room-" + value;
    }
  }

  record Meeting(RoomId roomId, String topicLine, Instant startsAt, String note) {}

  private static Map<String, Object> fooData() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("a", 1);
    data.put("s", TRICKY);
    return data;
  }

  private static Meeting meeting() {
    return new Meeting(
        new RoomId(7), "Ꭺ/b\u001f", Instant.parse("2026-12-01T10:15:30Z"), /* note */ null);
  }

  /** What the application's customisations make of {@link #meeting()}, in the Ruby form. */
  private static final String MEETING_ENVELOPE =
      "{\"data\":{\"room_id\":\"room-7\",\"topic_line\":\"Ꭺ/b\\u001f\","
          + "\"starts_at\":\"2026-12-01T10:15:30Z\"},"
          + "\"user_ids\":null,\"group_ids\":null,\"client_ids\":null}";

  private static String storedBy(
      TransportCodec codec, String channel, Object data, PublishOptions options) {
    try (MessageBus bus =
        MessageBus.builder().codec(codec).keepaliveInterval(Duration.ZERO).build()) {
      bus.publish(channel, data, options);
      return bus.backend().backlog(channel, 0).get(0).payload();
    }
  }

  // ------------------------------------------------------------------ Jackson 2

  private static ObjectMapper jackson2AppMapper() {
    return JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .addModule(new SimpleModule().addSerializer(RoomId.class, ToStringSerializer.instance))
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
        .enable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, null))
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .build();
  }

  @Test
  void jackson2Mapper_indentingAndEscaping_storesAppendixABytes() throws Exception {
    ObjectMapper app = jackson2AppMapper();
    // The mapper really does indent and escape, so the normalisation is what the test checks.
    assertThat(app.writeValueAsString(fooData())).contains("\n").contains("\\u05DD", "\\/");

    String stored = storedBy(JsonTransportCodec.withMapper(app), "/foo", fooData(), USERS_1_AND_2);

    assertThat(stored).isEqualTo(APPENDIX_A_FOO);
  }

  @Test
  void jackson2Mapper_customisationsShowInData_envelopeKeepsItsNulls() {
    String stored =
        storedBy(
            JsonTransportCodec.withMapper(jackson2AppMapper()),
            "/meetings",
            meeting(),
            PublishOptions.NONE);

    assertThat(stored).isEqualTo(MEETING_ENVELOPE);
  }

  @Test
  void jackson2Mapper_numbersKeepTheTextTheMapperWrote() {
    ObjectMapper app = jackson2AppMapper();
    String stored =
        storedBy(
            JsonTransportCodec.withMapper(app),
            "/n",
            List.of(new BigDecimal("1.50"), 12345678901234567890.0, -0L),
            PublishOptions.NONE);

    assertThat(stored).startsWith("{\"data\":[1.50,1.2345678901234567E19,0],");
  }

  // ------------------------------------------------------------------ Jackson 3

  private static tools.jackson.databind.json.JsonMapper jackson3AppMapper() {
    return tools.jackson.databind.json.JsonMapper.builder()
        .addModule(
            new tools.jackson.databind.module.SimpleModule()
                .addSerializer(
                    RoomId.class,
                    new tools.jackson.databind.ValueSerializer<RoomId>() {
                      @Override
                      public void serialize(
                          RoomId value,
                          tools.jackson.core.JsonGenerator g,
                          tools.jackson.databind.SerializationContext context) {
                        g.writeString(value.toString());
                      }
                    }))
        .enable(tools.jackson.databind.SerializationFeature.INDENT_OUTPUT)
        .enable(tools.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
        .enable(tools.jackson.core.json.JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
        .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_NULL))
        .propertyNamingStrategy(tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
        .build();
  }

  @Test
  void jackson3Mapper_indentingAndEscaping_storesAppendixABytes() {
    tools.jackson.databind.json.JsonMapper app = jackson3AppMapper();
    assertThat(app.writeValueAsString(fooData())).contains("\n").contains("\\u05DD", "\\/");

    String stored =
        storedBy(
            JsonTransportCodec.withDataEncoder(app::writeValueAsString),
            "/foo",
            fooData(),
            USERS_1_AND_2);

    assertThat(stored).isEqualTo(APPENDIX_A_FOO);
  }

  @Test
  void jackson3Mapper_customisationsAndJavaTimeShowInData_envelopeKeepsItsNulls() {
    String stored =
        storedBy(
            JsonTransportCodec.withDataEncoder(jackson3AppMapper()::writeValueAsString),
            "/meetings",
            meeting(),
            PublishOptions.NONE);

    assertThat(stored).isEqualTo(MEETING_ENVELOPE);
  }

  /** A bean whose getter fails, so any mapper fails on it. */
  static final class Broken {
    public String getValue() {
      throw new IllegalStateException("no value today");
    }
  }

  @Test
  void jackson3Mapper_failure_isRejectedWithTheMappersReason() {
    TransportCodec codec =
        JsonTransportCodec.withDataEncoder(jackson3AppMapper()::writeValueAsString);

    assertThatThrownBy(() -> codec.encode(new Envelope(new Broken(), null, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("data cannot be encoded as JSON: ")
        .hasMessageContaining("no value today");
  }

  // ------------------------------------------------------------------ the seam itself

  @Test
  void dataEncoder_notOneJsonValue_isRejected() {
    assertThatThrownBy(
            () ->
                JsonTransportCodec.withDataEncoder(d -> "{\"a\":")
                    .encode(new Envelope("x", null, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("did not write one JSON value");
    assertThatThrownBy(
            () ->
                JsonTransportCodec.withDataEncoder(d -> "1 2")
                    .encode(new Envelope("x", null, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trailing content");
    assertThatThrownBy(
            () ->
                JsonTransportCodec.withDataEncoder(d -> null)
                    .encode(new Envelope("x", null, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gave null");
  }

  @Test
  void decode_neverUsesTheApplicationMapper_andKeepsJsonTypes() {
    TransportCodec codec = JsonTransportCodec.withMapper(jackson2AppMapper());

    Envelope e =
        codec.decode(
            "{\"data\":{\"starts_at\":\"2026-12-01T10:15:30Z\",\"n\":1,\"f\":1.5},"
                + "\"user_ids\":[1,\"2\"],\"group_ids\":null,\"client_ids\":null}");

    assertThat(e.data())
        .isInstanceOf(LinkedHashMap.class)
        .isEqualTo(Map.of("starts_at", "2026-12-01T10:15:30Z", "n", 1L, "f", 1.5));
    assertThat(e.userIds()).containsExactly(1L, "2");
  }

  @Test
  void mapper_ofACodecWithAnApplicationMapper_isTheBusRubyCompatibleMapper() throws Exception {
    ObjectMapper app = jackson2AppMapper();
    JsonTransportCodec codec = JsonTransportCodec.withMapper(app);

    assertThat(codec.mapper())
        .isNotSameAs(app)
        .isSameAs(TransportCodec.json() instanceof JsonTransportCodec j ? j.mapper() : null);
    assertThat(codec.mapper().writeValueAsString(fooData()))
        .isEqualTo("{\"a\":1,\"s\":\"" + TRICKY + "\"}");
  }
}
