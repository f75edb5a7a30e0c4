// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Ruby-compatible writer and reader (SPEC §1.4, §4.5, Appendix A). */
class WireJsonTest {

  private static Message message(long id, String channel, Object data) {
    return new Message(id, id, channel, data, "site", List.of(1L), List.of("g"), List.of("c"));
  }

  @Test
  void writeMessages_appendixAImmediatePoll_isByteIdenticalToRuby() {
    Map<String, Long> positions = new LinkedHashMap<>();
    positions.put("/bar", 0L);

    byte[] body =
        WireJson.writeMessages(
            List.of(
                message(1, "/foo", "hello"),
                message(2, "/foo", "world"),
                Message.status(positions)));

    assertThat(new String(body, StandardCharsets.UTF_8))
        .isEqualTo(
            "[{\"global_id\":1,\"message_id\":1,\"channel\":\"/foo\",\"data\":\"hello\"},"
                + "{\"global_id\":2,\"message_id\":2,\"channel\":\"/foo\",\"data\":\"world\"},"
                + "{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\","
                + "\"data\":{\"/bar\":0}}]");
    assertThat(body).hasSize(200); // Content-Length in Appendix A
  }

  @Test
  void writeMessages_nonAsciiData_isRawUtf8() {
    byte[] body = WireJson.writeMessages(List.of(message(6, "/foo", "םוֹ/x\u2028")));

    assertThat(new String(body, StandardCharsets.UTF_8))
        .isEqualTo(
            "[{\"global_id\":6,\"message_id\":6,\"channel\":\"/foo\",\"data\":\"םוֹ/x\u2028\"}]");
  }

  @Test
  void write_mapWithControlCharactersAndJavaTime_isRubyForm() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("z", "a\n\u0001/é");
    value.put("at", Instant.parse("2026-12-01T10:15:30Z"));
    value.put("n", List.of(1, 2.5, true));

    assertThat(WireJson.write(value))
        .isEqualTo("{\"z\":\"a\\n\\u0001/é\",\"at\":\"2026-12-01T10:15:30Z\",\"n\":[1,2.5,true]}");
    assertThat(WireJson.write(null)).isEqualTo("null");
  }

  @Test
  void normalize_indentedAndEscapedJson_becomesRubyForm() {
    String pretty =
        "{\n  \"s\" : \"\\u05DD\\/x\\u2028\\u001F\\n\",\n"
            + "  \"\\u00e9\" : [ 1.50, -0, 1E3, null, false ]\n}";

    assertThat(WireJson.normalize(pretty))
        .isEqualTo("{\"s\":\"ם/x\u2028\\u001f\\n\",\"é\":[1.50,-0,1E3,null,false]}");
  }

  @Test
  void normalize_notOneJsonValue_isRejected() {
    assertThatThrownBy(() -> WireJson.normalize("{\"a\":"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid JSON");
    assertThatThrownBy(() -> WireJson.normalize("[1] [2]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trailing content");
    assertThatThrownBy(() -> WireJson.normalize("  "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no JSON value");
  }

  @Test
  void read_keepsJsonTypesAndKeyOrder() {
    Object value =
        WireJson.read("{\"z\":1,\"a\":[1.5,true,null,\"x\"],\"big\":1234567890123456789012}");

    assertThat(value).isInstanceOf(LinkedHashMap.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) value;
    assertThat(map.keySet()).containsExactly("z", "a", "big");
    assertThat(map.get("z")).isEqualTo(1L);
    assertThat(map.get("a")).isEqualTo(Arrays.asList(1.5, true, null, "x"));
    assertThat(map.get("big")).isEqualTo(new BigInteger("1234567890123456789012"));
  }

  @Test
  void read_scalarsAndEdgeNumbers_haveTheDocumentedTypes() {
    assertThat(WireJson.read("7")).isEqualTo(7L);
    assertThat(WireJson.read("-0")).isEqualTo(0L);
    assertThat(WireJson.read("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(WireJson.read("9223372036854775808"))
        .isEqualTo(new BigInteger("9223372036854775808"));
    assertThat(WireJson.read("1e3")).isEqualTo(1000.0);
    assertThat(WireJson.read("2.50")).isEqualTo(2.5);
    assertThat(WireJson.read("\"x\"")).isEqualTo("x");
    assertThat(WireJson.read("false")).isEqualTo(false);
    assertThat(WireJson.read("null")).isNull();
    assertThat(WireJson.read("{\"a\":{},\"b\":[],\"a\":2}"))
        .isEqualTo(Map.of("a", 2L, "b", List.of()));
  }

  @Test
  void read_invalidJson_isRejectedWithReason() {
    assertThatThrownBy(() -> WireJson.read("{\"a\" 1}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid JSON: ");
    assertThatThrownBy(() -> WireJson.read("1 2"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trailing content");
  }

  @Test
  void write_valueJacksonCannotWrite_isRejected() {
    Object selfReferencing =
        new Object() {
          @SuppressWarnings("unused")
          public Object getSelf() {
            return this;
          }
        };

    assertThatThrownBy(() -> WireJson.write(selfReferencing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("value cannot be written as JSON: ");
  }
}
