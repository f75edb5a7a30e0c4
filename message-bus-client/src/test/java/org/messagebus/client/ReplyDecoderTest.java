// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Replies decode to plain Java values whose types do not depend on the mapper's settings. */
class ReplyDecoderTest {

  private static final String REPLY =
      "[{\"global_id\":9,\"message_id\":3,\"channel\":\"/c\",\"data\":"
          + "{\"z\":1,\"a\":[1.5,true,null,\"s\",123456789012345678901234567890,-7],\"m\":{},\"z\":2}}]";

  static List<Arguments> mappers() {
    return List.of(
        Arguments.of("default", new ObjectMapper()),
        Arguments.of(
            "big numbers, Java arrays",
            JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                .enable(DeserializationFeature.USE_JAVA_ARRAY_FOR_JSON_ARRAY)
                .enable(DeserializationFeature.USE_LONG_FOR_INTS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mappers")
  void decode_keepsJsonTypes_whateverTheMappersSettings(String name, ObjectMapper mapper)
      throws IOException {
    List<ClientMessage> messages = new ReplyDecoder(mapper).decode(REPLY);

    assertThat(messages).hasSize(1);
    ClientMessage m = messages.get(0);
    assertThat(m.channel()).isEqualTo("/c");
    assertThat(m.globalId()).isEqualTo(9);
    assertThat(m.messageId()).isEqualTo(3);
    assertThat(m.data()).isInstanceOf(LinkedHashMap.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) m.data();
    assertThat(data.keySet()).containsExactly("z", "a", "m");
    assertThat(data.get("z")).as("a repeated key: the last value, the first place").isEqualTo(2L);
    assertThat(data.get("a")).isInstanceOf(ArrayList.class);
    @SuppressWarnings("unchecked")
    List<Object> array = (List<Object>) data.get("a");
    assertThat(array)
        .containsExactly(
            1.5, true, null, "s", new BigInteger("123456789012345678901234567890"), -7L);
    assertThat(data.get("m")).isInstanceOf(LinkedHashMap.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mappers")
  void statusMessage_mayGoWithoutIds(String name, ObjectMapper mapper) throws IOException {
    List<ClientMessage> messages =
        new ReplyDecoder(mapper).decode("[{\"channel\":\"/__status\",\"data\":{\"/c\":4}}]");

    assertThat(messages.get(0).data()).isEqualTo(Map.of("/c", 4L));
    assertThat(messages.get(0).messageId()).isEqualTo(-1);
  }

  static List<Arguments> badReplies() {
    return List.of(
        Arguments.of("<html>surprise</html>", "not valid JSON"),
        Arguments.of("", "empty"),
        Arguments.of("[] trailing", "not valid JSON"),
        Arguments.of("{\"a\":1}", "not a JSON array"),
        Arguments.of("null", "not a JSON array"),
        Arguments.of("[1]", "not an array of messages"),
        Arguments.of("[{\"message_id\":1,\"global_id\":1}]", "without a channel"),
        Arguments.of(
            "[{\"channel\":\"/c\",\"message_id\":\"1\",\"global_id\":1}]", "not a number"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("badReplies")
  void badReply_isAnIOExceptionSayingWhy(String reply, String why) {
    assertThatThrownBy(() -> new ReplyDecoder(new ObjectMapper()).decode(reply))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(why);
  }
}
