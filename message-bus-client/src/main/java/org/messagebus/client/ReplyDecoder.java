// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decodes what a server sends for a poll — a reply body, a streamed piece — into messages: a JSON
 * array of {@code {"global_id", "message_id", "channel", "data"}} objects (SPEC §4.11).
 *
 * <p>Jackson reads the text into a tree; a walk of the tree fixes the Java types whatever the
 * mapper's settings (its node factory, {@code USE_BIG_DECIMAL_FOR_FLOATS}, {@code
 * USE_BIG_INTEGER_FOR_INTS}...): integers are {@code Long} ({@code BigInteger} beyond 64 bits),
 * other numbers {@code Double}, objects insertion-ordered {@code Map}s, arrays {@code List}s, and
 * strings, booleans and null as themselves. (Untyped reading into {@code Object} with {@code
 * USE_LONG_FOR_INTS} cannot keep integers beyond 64 bits: Jackson 2.21 rejects them.) Thread-safe.
 */
final class ReplyDecoder {

  /** The channel of the server's position messages (SPEC §4.9). */
  static final String STATUS_CHANNEL = "/__status";

  /** The channel of the server's loss signal (sent only when asked for). */
  static final String LOSS_CHANNEL = "/__loss";

  private static final int ABBREVIATE_AT = 120;

  private final ObjectReader reader;

  /**
   * Creates a decoder reading with the given mapper's parser (its factory and read constraints).
   *
   * @param mapper the mapper; its deserialization settings do not change the decoded types
   */
  ReplyDecoder(ObjectMapper mapper) {
    this.reader =
        mapper
            .reader()
            .without(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /**
   * Decodes one reply or piece.
   *
   * @param text the JSON text
   * @return its messages, status messages included, in order
   * @throws IOException if the text is not a JSON array of messages
   */
  List<ClientMessage> decode(String text) throws IOException {
    JsonNode tree;
    try {
      tree = reader.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IOException("reply is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (tree == null || tree.isMissingNode()) {
      throw new IOException("reply is empty");
    }
    if (!tree.isArray()) {
      throw new IOException("reply is not a JSON array: " + abbreviate(text));
    }
    List<ClientMessage> messages = new ArrayList<>(tree.size());
    for (JsonNode element : tree) {
      if (!element.isObject()) {
        throw new IOException("reply is not an array of messages: " + abbreviate(text));
      }
      if (!(plain(element.get("channel")) instanceof String channel)) {
        throw new IOException("message without a channel: " + abbreviate(element.toString()));
      }
      boolean status = STATUS_CHANNEL.equals(channel) || LOSS_CHANNEL.equals(channel);
      messages.add(
          new ClientMessage(
              channel,
              plain(element.get("data")),
              id(element.get("global_id"), status),
              id(element.get("message_id"), status)));
    }
    return messages;
  }

  /**
   * Turns a JSON value into plain Java values. The tree keeps what the text said (the mapper may
   * choose its node classes, e.g. {@code BigDecimal} nodes for floats); this walk fixes the types.
   */
  private static @Nullable Object plain(@Nullable JsonNode node) throws IOException {

    if (node == null) {
      return null;
    }
    return switch (node.getNodeType()) {
      case OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          map.put(field.getKey(), plain(field.getValue()));
        }
        yield map;
      }
      case ARRAY -> {
        List<Object> list = new ArrayList<>(node.size());
        for (JsonNode element : node) {
          list.add(plain(element));
        }
        yield list;
      }
      case STRING -> node.textValue();
      case NUMBER -> {
        if (!node.isIntegralNumber()) {
          yield node.doubleValue();
        }
        yield node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
      }
      case BOOLEAN -> node.booleanValue();
      case NULL -> null;
      default -> throw new IOException("unexpected JSON value of type " + node.getNodeType());
    };
  }

  /**
   * Shortens a text for an error message: white space folded, at most 120 characters.
   *
   * @param bytes UTF-8 text
   * @return the abbreviation
   */
  static String abbreviate(byte[] bytes) {
    return abbreviate(new String(bytes, StandardCharsets.UTF_8));
  }

  private static String abbreviate(String text) {
    String s = text.replaceAll("\\s+", " ");
    return s.length() <= ABBREVIATE_AT ? s : s.substring(0, ABBREVIATE_AT) + "...";
  }

  /** A message id; a status message may go without (Ruby sends -1). */
  private static long id(JsonNode value, boolean status) throws IOException {
    if (value != null && value.isNumber()) {
      return value.longValue();
    }
    if (status && (value == null || value.isNull())) {
      return -1;
    }
    throw new IOException("message id is not a number: " + value);
  }
}
