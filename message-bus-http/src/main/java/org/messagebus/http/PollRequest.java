// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The channels, positions and sequence number of one poll (SPEC §4.2), read from request attributes
 * set upstream, a JSON body or a form body (the body is read by the filter, without blocking).
 * Positions follow Ruby's integer conversion (leading digits, anything else 0), saturating beyond
 * 64 bits on every path; {@link #FROM_NOW} marks an empty value. Input Ruby would answer with a 500
 * is rejected with a {@link BadRequestException} instead.
 */
final class PollRequest {

  /** Request attribute an upstream filter sets to force the channels (a {@code Map}). */
  static final String CHANNELS_ATTRIBUTE = "message_bus.channels";

  /** Request attribute an upstream filter sets to force the sequence number. */
  static final String SEQ_ATTRIBUTE = "message_bus.seq";

  /** Position meaning "from the channel's current id" (an empty or null value). */
  static final long FROM_NOW = Long.MIN_VALUE;

  private static final String SEQ_KEY = "__seq";

  final LinkedHashMap<String, Long> channels;
  final long seq;

  // the channels' order is the client's, so the type says LinkedHashMap
  @SuppressWarnings("NonApiType")
  private PollRequest(LinkedHashMap<String, Long> channels, long seq) {
    this.channels = channels;
    this.seq = seq;
  }

  /**
   * The poll forced by an upstream filter through {@link #CHANNELS_ATTRIBUTE}, or null when there
   * is none (then the body says).
   */
  static @Nullable PollRequest forced(HttpRequestView req, EngineOptions options) {
    Object forced = req.attribute(CHANNELS_ATTRIBUTE);
    if (!(forced instanceof Map<?, ?> map)) {
      return null;
    }
    LinkedHashMap<String, Long> channels = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      channels.put(String.valueOf(e.getKey()), position(String.valueOf(e.getKey()), e.getValue()));
    }
    Object seq = req.attribute(SEQ_ATTRIBUTE);
    return checked(channels, seq == null ? 0 : seq(seq), options);
  }

  /**
   * Parses a poll body: JSON when the {@code Content-Type} header contains {@code
   * application/json}, a form otherwise. A charset the header names must be known (else 415); a
   * form is decoded with it (default UTF-8), JSON by its own detection.
   */
  static PollRequest parse(
      byte[] body, @Nullable String contentType, EngineOptions options, ObjectMapper json)
      throws IOException {
    Charset charset = FormData.charset(contentType, StandardCharsets.UTF_8);
    if (contentType != null && contentType.contains("application/json")) {
      return readJson(body, options, json);
    }
    return readForm(body, charset, options);
  }

  private static PollRequest readJson(byte[] body, EngineOptions options, ObjectMapper json)
      throws IOException {
    if (body.length == 0) {
      return new PollRequest(new LinkedHashMap<>(), 0);
    }
    LinkedHashMap<String, Long> channels = new LinkedHashMap<>();
    long seq = 0;
    try (JsonParser p = json.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new BadRequestException(400, "the JSON body must be an object of channel positions");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken t = p.nextToken();
        Object value =
            switch (t) {
              case VALUE_NULL -> null;
              case VALUE_STRING -> p.getText();
              case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
              default ->
                  throw new BadRequestException(
                      400,
                      "the position of " + Reasons.echo(key) + " must be a number or a string");
            };
        if (SEQ_KEY.equals(key)) {
          seq = value == null ? 0 : seq(value);
        } else {
          channels.put(key, position(key, value));
          if (channels.size() > options.maxChannels()) {
            throw tooManyChannels(options);
          }
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new BadRequestException(400, "the JSON body has trailing content");
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadRequestException(
          400, "the JSON body is invalid: " + Reasons.oneLine(e.getOriginalMessage(), 200));
    }
    return checked(channels, seq, options);
  }

  private static PollRequest readForm(byte[] body, Charset charset, EngineOptions options) {
    return readFields(
        FormData.parse(body, charset, options.maxChannels() + 1, "the form body"), options);
  }

  /**
   * Reads the channels of a Server-Sent Events request from its query, form-encoded as a poll body
   * is; a {@code Last-Event-ID} (the positions of every channel, in query order, comma-separated)
   * replaces the query's positions. An empty {@code Last-Event-ID} counts as none. The loss
   * signal's parameter ({@link LossSignal#PARAMETER}) is not a channel.
   */
  static PollRequest fromQuery(
      @Nullable String query, @Nullable String lastEventId, EngineOptions options) {
    return resumed(
        readFields(
            LossSignal.withoutParameter(FormData.parseQuery(query, options.maxChannels() + 2)),
            options),
        lastEventId);
  }

  /**
   * The request with the positions of a {@code Last-Event-ID} (one per channel, in the request's
   * order, comma-separated) instead of its own; unchanged for a null or empty one.
   */
  static PollRequest resumed(PollRequest request, @Nullable String lastEventId) {
    if (lastEventId == null || lastEventId.isEmpty()) {
      return request;
    }
    String[] parts = lastEventId.split(",", -1);
    if (parts.length != request.channels.size()) {
      throw new BadRequestException(
          400,
          "Last-Event-ID names "
              + parts.length
              + " positions for "
              + request.channels.size()
              + " channels: it must hold one position per channel of the query, in its order");
    }
    int i = 0;
    for (Map.Entry<String, Long> e : request.channels.entrySet()) {
      String part = parts[i++].trim();
      try {
        long position = Long.parseLong(part);
        if (position < -1) {
          throw new NumberFormatException("below -1");
        }
        e.setValue(position);
      } catch (NumberFormatException bad) {
        throw new BadRequestException(
            400,
            "Last-Event-ID does not parse: "
                + Reasons.echo(lastEventId)
                + " (comma-separated message ids, -1 or more)");
      }
    }
    return request;
  }

  private static PollRequest readFields(List<FormData.Field> fields, EngineOptions options) {
    LinkedHashMap<String, Long> channels = new LinkedHashMap<>();
    long seq = 0;
    for (FormData.Field f : fields) {
      String key = f.key();
      String value = f.value();
      if (SEQ_KEY.equals(key)) {
        seq = value == null || value.isEmpty() ? 0 : seq(value);
      } else {
        channels.put(key, position(key, value));
        if (channels.size() > options.maxChannels()) {
          throw tooManyChannels(options);
        }
      }
    }
    return checked(channels, seq, options);
  }

  // the channels' order is the client's, so the type says LinkedHashMap
  @SuppressWarnings("NonApiType")
  private static PollRequest checked(
      LinkedHashMap<String, Long> channels, long seq, EngineOptions options) {
    if (channels.size() > options.maxChannels()) {
      throw tooManyChannels(options);
    }
    for (String channel : channels.keySet()) {
      if (channel.isEmpty() || channel.contains("$|$")) {
        throw new BadRequestException(400, "invalid channel name: " + Reasons.echo(channel));
      }
    }
    return new PollRequest(channels, seq);
  }

  private static BadRequestException tooManyChannels(EngineOptions options) {
    return new BadRequestException(
        400, "too many channels: at most " + options.maxChannels() + " per poll");
  }

  /** Ruby's {@code to_i} for strings; numbers truncate; null and "" mean "from now". */
  static long position(String channel, @Nullable Object value) {
    if (value == null) {
      return FROM_NOW;
    }
    if (value instanceof Number n) {
      return saturated(n);
    }
    if (value instanceof String s) {
      return s.isEmpty() ? FROM_NOW : leadingLong(s);
    }
    throw new BadRequestException(
        400, "the position of " + Reasons.echo(channel) + " must be a number or a string");
  }

  /**
   * A JSON (or attribute) number as a position: truncated, and saturated like the form path's
   * {@link #leadingLong} when beyond 64 bits (never wrapped: a huge position is "client ahead",
   * SPEC §4.6). {@link Long#MIN_VALUE} is {@link #FROM_NOW}, so the floor is one above it.
   */
  static long saturated(Number n) {
    if (n instanceof BigDecimal d) {
      return saturated(d.toBigInteger());
    }
    if (n instanceof BigInteger b) {
      if (b.bitLength() >= 64) {
        return b.signum() < 0 ? Long.MIN_VALUE + 1 : Long.MAX_VALUE;
      }
      return Math.max(Long.MIN_VALUE + 1, b.longValue());
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return Double.isNaN(d) ? 0 : Math.max(Long.MIN_VALUE + 1, (long) d);
    }
    return Math.max(Long.MIN_VALUE + 1, n.longValue());
  }

  private static long seq(Object value) {
    if (value instanceof BigInteger || value instanceof BigDecimal) {
      BigInteger b = value instanceof BigDecimal d ? d.toBigInteger() : (BigInteger) value;
      if (b.bitLength() >= 64) {
        throw new BadRequestException(
            400, "__seq must be a 64-bit integer: " + Reasons.echo(b.toString()));
      }
      return b.longValue();
    }
    if (value instanceof Number n) {
      return n.longValue();
    }
    String s = String.valueOf(value).trim();
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new BadRequestException(400, "__seq must be an integer: " + Reasons.echo(s));
    }
  }

  private static long leadingLong(String s) {
    int i = 0;
    int n = s.length();
    while (i < n && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    boolean negative = false;
    if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    long v = 0;
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      if (v > (Long.MAX_VALUE - (c - '0')) / 10) {
        return negative ? Long.MIN_VALUE + 1 : Long.MAX_VALUE;
      }
      v = v * 10 + (c - '0');
    }
    return negative ? -v : v;
  }
}
