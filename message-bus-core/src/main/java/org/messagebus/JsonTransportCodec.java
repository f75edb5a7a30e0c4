package org.messagebus;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The default {@link TransportCodec}: JSON written the way Ruby's generator writes it, so that Java
 * and Ruby processes store byte-identical envelopes (SPEC §1.4): compact, non-ASCII characters raw
 * (no backslash-u escapes), {@code /} and U+2028/U+2029 not escaped, control characters escaped,
 * integers without a decimal point.
 *
 * <p>Decoding keeps JSON types: integers become {@code Long} (or {@code BigInteger} beyond 64
 * bits), so a user id {@code 1} and a user id {@code "1"} stay different, and object keys keep
 * their order. Thread-safe.
 */
public final class JsonTransportCodec implements TransportCodec {

  static final JsonTransportCodec DEFAULT = new JsonTransportCodec(defaultMapper());

  private final ObjectMapper mapper;

  private JsonTransportCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Returns a codec writing data with the given mapper, for applications whose payload types need
   * modules or custom serializers. The mapper must not indent, escape non-ASCII characters or
   * change the envelope's key order, or Ruby processes will store different bytes.
   *
   * @param mapper the mapper, configured by the caller
   * @return a codec using it
   */
  public static JsonTransportCodec withMapper(ObjectMapper mapper) {
    return new JsonTransportCodec(
        Objects.requireNonNull(mapper, "mapper")
            .copy()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS));
  }

  /**
   * Returns the mapper the default codec uses; a copy may be customised and passed to {@link
   * #withMapper}.
   *
   * @return a fresh mapper with the default settings
   */
  public static ObjectMapper defaultMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .build();
    mapper.getFactory().setCharacterEscapes(RubyEscapes.INSTANCE);
    return mapper;
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
    public SerializableString getEscapeSequence(int ch) {
      // Jackson asks about every non-ASCII character too: those are written raw.
      return ch < 0x20 ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
  }

  /**
   * Returns the mapper this codec uses, for components that write JSON the same way (the HTTP
   * transport). Do not reconfigure it.
   *
   * @return the mapper
   */
  public ObjectMapper mapper() {
    return mapper;
  }

  @Override
  public String encode(Envelope envelope) {
    Objects.requireNonNull(envelope, "envelope");
    StringWriter out = new StringWriter(64);
    try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("data");
      mapper.writeValue(g, envelope.data());
      writeIds(g, "user_ids", envelope.userIds());
      writeIds(g, "group_ids", envelope.groupIds());
      writeIds(g, "client_ids", envelope.clientIds());
      g.writeEndObject();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "data cannot be encoded as JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalStateException("writing to a string failed", e);
    }
    return out.toString();
  }

  private void writeIds(JsonGenerator g, String name, List<Object> ids) throws IOException {
    g.writeFieldName(name);
    if (ids == null) {
      g.writeNull();
    } else {
      mapper.writeValue(g, ids);
    }
  }

  @Override
  public Envelope decode(String encoded) {
    Objects.requireNonNull(encoded, "encoded");
    try (JsonParser p = mapper.getFactory().createParser(encoded)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("envelope is not a JSON object");
      }
      Object data = null;
      List<Object> userIds = null;
      List<Object> groupIds = null;
      List<Object> clientIds = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "data" -> data = readValue(p);
          case "user_ids" -> userIds = readIds(p, field);
          case "group_ids" -> groupIds = readIds(p, field);
          case "client_ids" -> clientIds = readIds(p, field);
          default -> p.skipChildren();
        }
      }
      return new Envelope(data, userIds, groupIds, clientIds);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "envelope is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalStateException("reading from a string failed", e);
    }
  }

  /**
   * Reads the current JSON value as plain Java objects: integers as {@code Long} (or {@code
   * BigInteger} beyond 64 bits), floats as {@code Double}, objects as insertion-ordered maps.
   */
  private static Object readValue(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT:
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, readValue(p));
        }
        return map;
      case START_ARRAY:
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(readValue(p));
        }
        return list;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? p.getBigIntegerValue()
            : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IllegalArgumentException("unexpected JSON token " + p.currentToken());
    }
  }

  private List<Object> readIds(JsonParser p, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException("envelope field " + field + " is not an array");
    }
    List<Object> ids = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      ids.add(readValue(p));
    }
    return Collections.unmodifiableList(ids);
  }
}
