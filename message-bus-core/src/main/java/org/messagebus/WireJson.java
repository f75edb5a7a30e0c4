// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The bus's own JSON writer and reader, which write what Ruby's generator writes (SPEC §1.4, §4.5):
 * compact (no whitespace), non-ASCII characters raw as UTF-8 (no backslash-u escapes), {@code /}
 * and U+2028/U+2029 not escaped, control characters without a short form escaped as backslash-u
 * with lowercase hex digits, integers without a decimal point, object keys in their given order.
 *
 * <p>The envelope codec ({@link JsonTransportCodec}) writes stored messages with it and the HTTP
 * transport writes poll replies with it; it never depends on an application's JSON settings. It
 * writes plain Java values (maps, lists, strings, numbers, booleans, null), records and beans, and
 * {@code java.time} values as ISO-8601 strings ({@code Instant} as {@code "2026-12-01T10:15:30Z"},
 * {@code LocalDate} as {@code "2026-12-01"}, {@code OffsetDateTime} with its offset, {@code
 * Duration} as {@code "PT1M30S"}); {@code java.util.Date} as an ISO-8601 string in UTC.
 *
 * <p>Reading ({@link #read}) gives plain Java values that keep JSON types: objects as
 * insertion-ordered {@code Map<String, Object>}, arrays as {@code List<Object>}, integers as {@code
 * Long} (or {@code BigInteger} beyond 64 bits), other numbers as {@code Double}, then {@code
 * String}, {@code Boolean} and null.
 *
 * <p>All methods are static and thread-safe. Jackson 2 does the work inside; no Jackson type
 * appears in this class's API.
 */
public final class WireJson {

  private static final ObjectMapper MAPPER = newMapper();
  private static final ObjectMapper READER = newReader();

  private WireJson() {}

  /**
   * Writes a value as compact, Ruby-compatible JSON.
   *
   * @param value the value; may be null ({@code "null"})
   * @return the JSON text
   * @throws IllegalArgumentException if the value cannot be written as JSON
   */
  public static String write(Object value) {
    StringWriter out = new StringWriter(64);
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      MAPPER.writeValue(g, value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("value cannot be written as JSON: " + reason(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a string failed", e);
    }
    return out.toString();
  }

  /**
   * Writes the JSON array a poll reply carries (SPEC §4.5): one object per message with exactly the
   * keys {@code global_id}, {@code message_id}, {@code channel} (the plain channel) and {@code
   * data}, in that order, as UTF-8. Site and targeting are never written.
   *
   * @param messages the messages, in order
   * @return the UTF-8 bytes of the array
   * @throws IllegalArgumentException if a message's data cannot be written as JSON
   */
  public static byte[] writeMessages(List<Message> messages) {
    return writeMessages(MAPPER, messages);
  }

  /**
   * Writes the JSON array a poll reply carries, as {@link #writeMessages(List)} does, with the
   * messages' data written by {@code mapper} (the HTTP engine passes the bus codec's mapper, so the
   * data reads as it was published).
   *
   * @param mapper writes the generator and each message's data
   * @param messages the messages, in order
   * @return the UTF-8 bytes of the array
   * @throws IllegalArgumentException if a message's data cannot be written as JSON
   */
  public static byte[] writeMessages(ObjectMapper mapper, List<Message> messages) {
    Objects.requireNonNull(mapper, "mapper");
    Objects.requireNonNull(messages, "messages");
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 64 * messages.size());
    try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
      g.writeStartArray();
      for (Message m : messages) {
        g.writeStartObject();
        g.writeNumberField("global_id", m.globalId());
        g.writeNumberField("message_id", m.messageId());
        g.writeStringField("channel", m.channel());
        g.writeFieldName("data");
        mapper.writeValue(g, m.data());
        g.writeEndObject();
      }
      g.writeEndArray();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("message data cannot be written as JSON: " + reason(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory failed", e);
    }
    return out.toByteArray();
  }

  /**
   * Rewrites one JSON value in the Ruby-compatible form: whitespace dropped, strings and keys
   * re-escaped by the rules above, keys kept in their order, numbers kept as written.
   *
   * @param json one JSON value
   * @return the same value, normalised
   * @throws IllegalArgumentException if {@code json} is not exactly one valid JSON value
   */
  public static String normalize(String json) {
    Objects.requireNonNull(json, "json");
    StringWriter out = new StringWriter(json.length());
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      copy(json, g);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a string failed", e);
    }
    return out.toString();
  }

  /**
   * Reads one JSON value as plain Java values (see the class comment for the types).
   *
   * @param json one JSON value
   * @return the value; null for JSON {@code null}
   * @throws IllegalArgumentException if {@code json} is not exactly one valid JSON value
   */
  public static Object read(String json) {
    Objects.requireNonNull(json, "json");
    try (JsonParser p = MAPPER.getFactory().createParser(json)) {
      if (p.nextToken() == null) {
        throw new IllegalArgumentException("no JSON value");
      }
      Object value = readValue(p);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing content after the JSON value");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid JSON: " + reason(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading from a string failed", e);
    }
  }

  // ------------------------------------------------------------------ for the codec

  /** The shared Ruby-compatible mapper. Not to be reconfigured. */
  static ObjectMapper mapper() {
    return MAPPER;
  }

  /** A new mapper with the Ruby-compatible settings and {@code java.time} support. */
  static ObjectMapper newMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build();
    mapper.getFactory().setCharacterEscapes(RubyEscapes.INSTANCE);
    return mapper;
  }

  /**
   * Parses {@code json} (one JSON value) and writes it to {@code g} token by token, so that {@code
   * g}'s escaping applies to every string and key; number literals are copied as written.
   *
   * @throws IllegalArgumentException if {@code json} is not exactly one valid JSON value
   */
  static void copy(String json, JsonGenerator g) throws IOException {
    try (JsonParser p = MAPPER.getFactory().createParser(json)) {
      if (p.nextToken() == null) {
        throw new IllegalArgumentException("no JSON value");
      }
      copyValue(p, g);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing content after the JSON value");
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid JSON: " + reason(e), e);
    }
  }

  private static void copyValue(JsonParser p, JsonGenerator g) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT -> {
        g.writeStartObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          g.writeFieldName(p.currentName());
          p.nextToken();
          copyValue(p, g);
        }
        g.writeEndObject();
      }
      case START_ARRAY -> {
        g.writeStartArray();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          copyValue(p, g);
        }
        g.writeEndArray();
      }
      case VALUE_STRING ->
          g.writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> g.writeNumber(p.getText());
      case VALUE_TRUE -> g.writeBoolean(true);
      case VALUE_FALSE -> g.writeBoolean(false);
      case VALUE_NULL -> g.writeNull();
      default -> throw new IllegalArgumentException("unexpected JSON token " + p.currentToken());
    }
  }

  /**
   * Reads the current JSON value with Jackson's untyped reading on the bus's own reader (never an
   * application's mapper, so the decoded types never depend on its settings): objects as {@code
   * LinkedHashMap}, arrays as {@code ArrayList}, integers as {@code Long} (or {@code BigInteger}
   * beyond 64 bits), other numbers as {@code Double}.
   */
  static Object readValue(JsonParser p) throws IOException {
    return READER.readValue(p, Object.class);
  }

  /**
   * The mapper {@link #readValue} reads with. Jackson's untyped reading gives {@code Integer} for
   * small integers and, with {@code USE_LONG_FOR_INTS}, fails beyond 64 bits; this number reader
   * gives {@code Long} or {@code BigInteger}, and {@code Double} for the rest.
   */
  private static ObjectMapper newReader() {
    SimpleModule numbers =
        new SimpleModule("message-bus-numbers")
            .addDeserializer(
                Number.class,
                new StdDeserializer<Number>(Number.class) {
                  private static final long serialVersionUID = 1L;

                  @Override
                  public Number deserialize(JsonParser p, DeserializationContext ctxt)
                      throws IOException {
                    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                      return p.getDoubleValue();
                    }
                    return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                        ? p.getBigIntegerValue()
                        : (Number) p.getLongValue();
                  }
                });
    return JsonMapper.builder().addModule(numbers).build();
  }

  static String reason(JsonProcessingException e) {
    return e.getOriginalMessage();
  }

  /**
   * Ruby's generator escapes control characters without a short form as a backslash-u escape with
   * lowercase hex digits; Jackson writes uppercase. Everything else is Jackson's standard set.
   */
  private static final class RubyEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    static final RubyEscapes INSTANCE = new RubyEscapes();
    private static final int[] CODES = standardAsciiEscapesForJSON();

    static {
      for (int c = 0; c < 0x20; c++) {
        if (CODES[c] == ESCAPE_STANDARD) {
          CODES[c] = ESCAPE_CUSTOM;
        }
      }
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return CODES;
    }

    @Override
    public @Nullable SerializableString getEscapeSequence(int ch) {

      // Jackson asks about every non-ASCII character too: those are written raw.
      return ch < 0x20 ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
  }
}
