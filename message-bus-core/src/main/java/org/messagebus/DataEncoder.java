// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import org.jspecify.annotations.Nullable;

/**
 * Writes the {@code data} of a message as JSON text, so that an application can encode its payload
 * types with its own JSON mapper (its modules, custom serializers, naming strategy) while the bus
 * keeps writing the envelope and the HTTP wire itself.
 *
 * <p>The text returned is one JSON value. The codec ({@link
 * JsonTransportCodec#withDataEncoder(DataEncoder)}) parses it and writes it again with {@link
 * WireJson}'s Ruby-compatible rules, so an encoder that indents, escapes non-ASCII characters or
 * escapes {@code /} cannot change the stored bytes; only the content of the value (its keys, values
 * and number text) is the encoder's. Decoding never uses the encoder.
 *
 * <p>{@code throws Exception} lets a JSON mapper's own method serve as an encoder, from either
 * Jackson generation:
 *
 * <pre>{@code
 * DataEncoder jackson3 = jsonMapper::writeValueAsString;   // tools.jackson.databind.json.JsonMapper
 * DataEncoder jackson2 = objectMapper::writeValueAsString; // com.fasterxml.jackson.databind.ObjectMapper
 * }</pre>
 *
 * <p>Implementations must be thread-safe: the bus calls them from every publishing thread.
 */
@FunctionalInterface
public interface DataEncoder {

  /**
   * Writes a value as JSON text.
   *
   * @param data the published data; may be null
   * @return one JSON value as text, not null
   * @throws Exception if the value cannot be written; the codec reports any exception as an {@link
   *     IllegalArgumentException} from {@code publish}
   */
  String encode(@Nullable Object data) throws Exception;
}
