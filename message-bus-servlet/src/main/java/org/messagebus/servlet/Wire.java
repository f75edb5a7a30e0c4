package org.messagebus.servlet;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.messagebus.Message;

/** The bytes of the HTTP protocol (SPEC §4.5, §4.7, §4.12). */
final class Wire {

  static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";
  static final String STREAM_CONTENT_TYPE = "text/plain; charset=utf-8";
  static final String SEPARATOR = "\r\n|\r\n";
  private static final String ESCAPED_SEPARATOR = "\r\n||\r\n";
  static final byte[] EMPTY_ARRAY = "[]".getBytes(StandardCharsets.US_ASCII);
  static final byte[] EMPTY_PIECE = piece(EMPTY_ARRAY);

  private Wire() {}

  /** A JSON array of messages with exactly the keys global_id, message_id, channel, data. */
  static byte[] json(ObjectMapper mapper, List<Message> messages) {
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** One streamed piece: the JSON with the separator escaped, then the separator. */
  static byte[] piece(byte[] json) {
    String text = new String(json, StandardCharsets.UTF_8);
    if (text.contains(SEPARATOR)) {
      text = text.replace(SEPARATOR, ESCAPED_SEPARATOR);
    }
    return (text + SEPARATOR).getBytes(StandardCharsets.UTF_8);
  }
}
