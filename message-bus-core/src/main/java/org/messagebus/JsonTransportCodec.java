// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The default {@link TransportCodec}: JSON written the way Ruby's generator writes it ({@link
 * WireJson}), so that Java and Ruby processes store byte-identical envelopes (SPEC §1.4): compact,
 * non-ASCII characters raw (no backslash-u escapes), {@code /} and U+2028/U+2029 not escaped,
 * control characters escaped, integers without a decimal point, the keys {@code data}, {@code
 * user_ids}, {@code group_ids}, {@code client_ids} in that order.
 *
 * <p>Who writes the {@code data}: {@link TransportCodec#json()} writes it with the bus's own mapper
 * (records, beans and {@code java.time} values as ISO-8601 strings, see {@link WireJson}). {@link
 * #withDataEncoder} and {@link #withMapper} hand it to the application's JSON mapper (its modules,
 * serializers, naming strategy), then rewrite that mapper's text with the Ruby-compatible rules:
 * indentation, escaping or inclusion settings of the application's mapper never change the
 * envelope, and change the data only in what the data contains. The envelope keys and the targeting
 * ids are always written by the codec.
 *
 * <p>Decoding never uses the application's mapper and keeps JSON types: integers become {@code
 * Long} (or {@code BigInteger} beyond 64 bits), so a user id {@code 1} and a user id {@code "1"}
 * stay different, and object keys keep their order. Thread-safe.
 */
public final class JsonTransportCodec implements TransportCodec {

  static final JsonTransportCodec DEFAULT = new JsonTransportCodec(null);

  /** Writes the data as JSON text; null means the bus's own mapper writes it directly. */
  private final @Nullable DataEncoder dataEncoder;

  private JsonTransportCodec(@Nullable DataEncoder dataEncoder) {
    this.dataEncoder = dataEncoder;
  }

  /**
   * Returns a codec whose message data is written by the given encoder, typically the application's
   * JSON mapper ({@code jsonMapper::writeValueAsString} for a Jackson 3 {@code JsonMapper}). The
   * encoder's text is parsed and written again with the Ruby-compatible rules, so its formatting
   * settings cannot change the stored bytes; the envelope is always the codec's.
   *
   * @param encoder writes one value as JSON text
   * @return a codec using it
   */
  public static JsonTransportCodec withDataEncoder(DataEncoder encoder) {
    return new JsonTransportCodec(Objects.requireNonNull(encoder, "encoder"));
  }

  /**
   * Returns a codec whose message data is written by the given Jackson 2 mapper, for applications
   * whose payload types need modules or custom serializers. As with {@link #withDataEncoder}, the
   * mapper's text is normalised: its indentation, escaping and inclusion settings do not reach the
   * envelope or the stored formatting. The mapper is used as it is and must not be reconfigured
   * afterwards.
   *
   * @param mapper the mapper, configured by the caller
   * @return a codec using it for the data
   */
  public static JsonTransportCodec withMapper(ObjectMapper mapper) {
    Objects.requireNonNull(mapper, "mapper");
    return new JsonTransportCodec(mapper::writeValueAsString);
  }

  /**
   * Returns a new mapper with the settings the bus writes JSON with (Ruby-compatible escaping,
   * compact, {@code java.time} as ISO-8601 strings). A customised copy may be passed to {@link
   * #withMapper}; its formatting settings will not matter there.
   *
   * @return a fresh mapper with the default settings
   */
  public static ObjectMapper defaultMapper() {
    return WireJson.newMapper();
  }

  /**
   * Returns the mapper this codec writes envelopes with: always the bus's Ruby-compatible mapper,
   * whatever mapper or encoder writes the data, so that components writing JSON the same way (the
   * HTTP transport) stay byte-compatible. New code should use {@link WireJson}, which has no
   * Jackson type in its API. Do not reconfigure it.
   *
   * @return the shared Ruby-compatible mapper
   */
  public ObjectMapper mapper() {
    return WireJson.mapper();
  }

  @Override
  public String encode(Envelope envelope) {
    Objects.requireNonNull(envelope, "envelope");
    ObjectMapper mapper = WireJson.mapper();
    StringWriter out = new StringWriter(64);
    try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("data");
      DataEncoder encoder = dataEncoder;
      if (encoder == null) {
        mapper.writeValue(g, envelope.data());
      } else {
        String json = encodeData(encoder, envelope.data());
        try {
          WireJson.copy(json, g);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "data cannot be encoded as JSON: the data encoder did not write one JSON value: "
                  + e.getMessage(),
              e);
        }
      }
      writeIds(mapper, g, "user_ids", envelope.userIds());
      writeIds(mapper, g, "group_ids", envelope.groupIds());
      writeIds(mapper, g, "client_ids", envelope.clientIds());
      g.writeEndObject();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "data cannot be encoded as JSON: " + WireJson.reason(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a string failed", e);
    }
    return out.toString();
  }

  private static String encodeData(DataEncoder encoder, @Nullable Object data) {
    String json;
    try {
      json = encoder.encode(data);

    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "data cannot be encoded as JSON: " + WireJson.reason(e), e);
    } catch (Exception e) {
      throw new IllegalArgumentException("data cannot be encoded as JSON: " + e.getMessage(), e);
    }
    if (json == null) {
      throw new IllegalArgumentException("data cannot be encoded as JSON: the encoder gave null");
    }
    return json;
  }

  private static void writeIds(
      ObjectMapper mapper, JsonGenerator g, String name, @Nullable List<Object> ids)
      throws IOException {
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
    try (JsonParser p = WireJson.mapper().getFactory().createParser(encoded)) {
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
          case "data" -> data = WireJson.readValue(p);
          case "user_ids" -> userIds = readIds(p, field);
          case "group_ids" -> groupIds = readIds(p, field);
          case "client_ids" -> clientIds = readIds(p, field);
          default -> p.skipChildren();
        }
      }
      return new Envelope(data, userIds, groupIds, clientIds);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("envelope is not valid JSON: " + WireJson.reason(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading from a string failed", e);
    }
  }

  private static @Nullable List<Object> readIds(JsonParser p, String field) throws IOException {

    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException("envelope field " + field + " is not an array");
    }
    List<Object> ids = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      ids.add(WireJson.readValue(p));
    }
    return Collections.unmodifiableList(ids);
  }
}
