// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

/**
 * Turns an {@link Envelope} into the string a backend stores, and back. Every process sharing a
 * backend must use the same codec. The default, {@link JsonTransportCodec}, writes the same bytes
 * as Ruby {@code message_bus}.
 *
 * <p>Implementations must be thread-safe. PostgreSQL cannot store NUL characters, so a codec used
 * with it must not produce them.
 */
public interface TransportCodec {

  /**
   * Encodes an envelope.
   *
   * @param envelope the envelope, never null
   * @return the encoded form, never null
   * @throws IllegalArgumentException if the data cannot be encoded
   */
  String encode(Envelope envelope);

  /**
   * Decodes what {@link #encode} produced (possibly in another process or language).
   *
   * @param encoded the stored form
   * @return the envelope; its data is made of {@code Map<String, Object>} (insertion-ordered),
   *     {@code List<Object>}, {@code String}, {@code Long} or {@code BigInteger}, {@code Double},
   *     {@code Boolean} and null
   * @throws IllegalArgumentException if {@code encoded} is not a valid envelope
   */
  Envelope decode(String encoded);

  /**
   * Returns the default codec: compact JSON, byte-compatible with Ruby's {@code JSON.dump}.
   *
   * @return the shared default codec
   */
  static TransportCodec json() {
    return JsonTransportCodec.DEFAULT;
  }
}
