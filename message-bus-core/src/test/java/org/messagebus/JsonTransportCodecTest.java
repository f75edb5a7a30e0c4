// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The envelope bytes of SPEC §1.4 and Appendix A. */
class JsonTransportCodecTest {

  private final TransportCodec codec = TransportCodec.json();

  @Test
  void encode_appendixVector_isByteIdenticalToRuby() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("a", 1);
    data.put("s", "םוֹ/x\u2028");

    String encoded = codec.encode(new Envelope(data, List.of(1L, "2"), null, null));

    assertThat(encoded)
        .isEqualTo(
            "{\"data\":{\"a\":1,\"s\":\"םוֹ/x\u2028\"},\"user_ids\":[1,\"2\"],"
                + "\"group_ids\":null,\"client_ids\":null}");
  }

  @Test
  void encode_globalChannelVector_isByteIdenticalToRuby() {
    String encoded = codec.encode(new Envelope(List.of(1, 2), null, null, List.of("abc")));

    assertThat(encoded)
        .isEqualTo(
            "{\"data\":[1,2],\"user_ids\":null,\"group_ids\":null,\"client_ids\":[\"abc\"]}");
  }

  @Test
  void encode_controlCharacters_useShortFormsOrLowercaseHex() {
    String encoded =
        codec.encode(new Envelope("a\n\t\b\f\r\"\\\u0001\u001f\u007f", null, null, null));

    assertThat(encoded)
        .startsWith("{\"data\":\"a\\n\\t\\b\\f\\r\\\"\\\\" + "\\u0001\\u001f\u007f\",");
  }

  @Test
  void encode_nonAsciiAndSlashAndLineSeparators_areWrittenRaw() {
    String encoded = codec.encode(new Envelope("é/日本\u2028\u2029😀", null, null, null));

    assertThat(encoded).startsWith("{\"data\":\"é/日本\u2028\u2029😀\",");
  }

  @Test
  void encode_recordData_isWrittenAsObject() {
    record Chat(String user, String text) {}

    assertThat(codec.encode(new Envelope(new Chat("sam", "hi"), null, null, null)))
        .startsWith("{\"data\":{\"user\":\"sam\",\"text\":\"hi\"},");
  }

  @Test
  void decode_keepsJsonTypesAndKeyOrder() {
    Envelope e =
        codec.decode(
            "{\"data\":{\"z\":1,\"a\":[1.5,true,null,\"x\"],\"big\":123456789012345678901234567890},"
                + "\"user_ids\":[1,\"1\"],\"group_ids\":null,\"client_ids\":[\"c\"]}");

    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) e.data();
    assertThat(data).containsOnlyKeys("z", "a", "big");
    assertThat(data.keySet()).containsExactly("z", "a", "big");
    assertThat(data.get("z")).isEqualTo(1L);
    assertThat(data.get("a")).isEqualTo(java.util.Arrays.asList(1.5, true, null, "x"));
    assertThat(data.get("big")).isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(e.userIds()).containsExactly(1L, "1");
    assertThat(e.groupIds()).isNull();
    assertThat(e.clientIds()).containsExactly("c");
  }

  @Test
  void roundTrip_encodeThenDecode_givesTheSameEnvelope() {
    Envelope original = new Envelope(Map.of("k", "v"), List.of(5L), List.of("g"), List.of("c1"));

    Envelope decoded = codec.decode(codec.encode(original));

    assertThat(decoded).isEqualTo(original);
  }

  @Test
  void decode_invalidJson_isRejectedWithReason() {
    assertThatThrownBy(() -> codec.decode("{\"data\":"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> codec.decode("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON object");
  }
}
