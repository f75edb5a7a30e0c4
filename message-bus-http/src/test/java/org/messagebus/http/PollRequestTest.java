// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Poll bodies (JSON and form) and forced channels, parsed into positions or refused with 400. */
class PollRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FORM = "application/x-www-form-urlencoded";
  private static final String JSON_TYPE = "application/json";

  private static PollRequest parse(String body, String contentType, EngineOptions options)
      throws IOException {
    return PollRequest.parse(body.getBytes(StandardCharsets.UTF_8), contentType, options, JSON);
  }

  private static PollRequest parse(String body, String contentType) throws IOException {
    return parse(body, contentType, EngineOptions.builder().build());
  }

  @Test
  void json_numbersStringsAndNulls_becomePositions_inTheClientsOrder() throws IOException {
    PollRequest r =
        parse("{\"/b\":5,\"/a\":\"7\",\"/c\":null,\"/d\":\"\",\"/e\":1.9,\"__seq\":3}", JSON_TYPE);
    assertThat(r.channels)
        .containsExactly(
            Map.entry("/b", 5L),
            Map.entry("/a", 7L),
            Map.entry("/c", PollRequest.FROM_NOW),
            Map.entry("/d", PollRequest.FROM_NOW),
            Map.entry("/e", 1L));
    assertThat(r.seq).isEqualTo(3);
  }

  @Test
  void json_positionsBeyond64Bits_saturate_andNullSeqIsZero() throws IOException {
    PollRequest r =
        parse(
            "{\"/up\":99999999999999999999,\"/down\":-99999999999999999999,"
                + "\"/f\":1e30,\"__seq\":null}",
            "application/json; charset=utf-8");
    assertThat(r.channels.get("/up")).isEqualTo(Long.MAX_VALUE);
    assertThat(r.channels.get("/down")).isEqualTo(Long.MIN_VALUE + 1);
    assertThat(r.channels.get("/f")).isEqualTo(Long.MAX_VALUE);
    assertThat(r.seq).isZero();
  }

  @Test
  void emptyJsonBody_isAPollOfNothing() throws IOException {
    PollRequest r = parse("", JSON_TYPE);
    assertThat(r.channels).isEmpty();
    assertThat(r.seq).isZero();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"/a\":true} | the position of",
        "{\"/a\":[1]} | the position of",
        "{\"__seq\":99999999999999999999} | __seq must be a 64-bit integer",
        "{\"__seq\":\"x\"} | __seq must be an integer",
        "{\"/a\":1} {} | trailing content",
        "{\"/a\": | the JSON body is invalid",
        "{\"\":1} | invalid channel name",
      })
  void badJson_is400_withAOneLineReason(String body, String reason) {
    assertThatThrownBy(() -> parse(body, JSON_TYPE))
        .isInstanceOfSatisfying(
            BadRequestException.class,
            e -> {
              assertThat(e.status).isEqualTo(400);
              assertThat(e.reason).contains(reason).doesNotContain("\n");
            });
  }

  @Test
  void form_positionsAreRubysToI_andSeqIsAnInteger() throws IOException {
    PollRequest r = parse("/a=12abc&/b=%2B3&/c=-2&/d=&/e=x&/f=-99999999999999999999&__seq=4", FORM);
    assertThat(r.channels)
        .containsExactly(
            Map.entry("/a", 12L),
            Map.entry("/b", 3L),
            Map.entry("/c", -2L),
            Map.entry("/d", PollRequest.FROM_NOW),
            Map.entry("/e", 0L),
            Map.entry("/f", Long.MIN_VALUE + 1));
    assertThat(r.seq).isEqualTo(4);
  }

  @Test
  void formSeqThatIsNoInteger_is400() {
    assertThatThrownBy(() -> parse("/a=1&__seq=abc", FORM))
        .isInstanceOfSatisfying(
            BadRequestException.class, e -> assertThat(e.reason).contains("__seq"));
  }

  @Test
  void moreChannelsThanTheLimit_is400_inBothBodies() {
    EngineOptions two = EngineOptions.builder().maxChannels(2).build();
    assertThatThrownBy(() -> parse("/a=1&/b=1&/c=1", FORM, two))
        .isInstanceOfSatisfying(
            BadRequestException.class, e -> assertThat(e.reason).contains("at most 2"));
    assertThatThrownBy(() -> parse("{\"/a\":1,\"/b\":1,\"/c\":1}", JSON_TYPE, two))
        .isInstanceOfSatisfying(
            BadRequestException.class, e -> assertThat(e.reason).contains("at most 2"));
  }

  @Test
  void forcedChannels_comeFromTheRequestAttribute_elseThereAreNone() {
    EngineOptions options = EngineOptions.builder().build();
    FakeExchange none = FakeExchange.post("");
    assertThat(PollRequest.forced(none, options)).isNull();

    FakeExchange x = FakeExchange.post("");
    Map<Object, Object> forced = new LinkedHashMap<>();
    forced.put("/a", 4);
    forced.put("/b", "9");
    forced.put("/c", null);
    forced.put("/d", new BigDecimal("12.5"));
    x.attributes.put(PollRequest.CHANNELS_ATTRIBUTE, forced);
    PollRequest r = PollRequest.forced(x, options);
    assertThat(r).isNotNull();
    assertThat(r.channels)
        .containsExactly(
            Map.entry("/a", 4L),
            Map.entry("/b", 9L),
            Map.entry("/c", PollRequest.FROM_NOW),
            Map.entry("/d", 12L));
  }

  @Test
  void saturated_handlesEveryNumberKind() {
    assertThat(PollRequest.saturated(Double.NaN)).isZero();
    assertThat(PollRequest.saturated(-1e30f)).isEqualTo(Long.MIN_VALUE + 1);
    assertThat(PollRequest.saturated(new BigDecimal("-1e40"))).isEqualTo(Long.MIN_VALUE + 1);
    assertThat(PollRequest.saturated(Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE + 1);
    assertThat(PollRequest.saturated(42)).isEqualTo(42);
  }
}
