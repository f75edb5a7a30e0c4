// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.messagebus.Envelope;
import org.messagebus.TransportCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;

/**
 * Encoding and decoding of a stored message envelope (SPEC §1.4) with the default Jackson codec: a
 * chat-sized map with non-ASCII text, targeted at two users.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark extends BenchmarkDefaults {

  private final TransportCodec codec = TransportCodec.json();
  private Envelope envelope;
  private String encoded;

  /** Prepares the envelope and its encoding. */
  @Setup
  public void setUp() {
    envelope =
        new Envelope(
            Map.of("user", "zoë", "text", "Grüße aus Köln — see you at 8?", "ts", 1732752000123L),
            List.of(7, 42),
            null,
            null);
    encoded = codec.encode(envelope);
  }

  /**
   * Encodes the envelope.
   *
   * @return the JSON text
   */
  @Benchmark
  public String encode() {
    return codec.encode(envelope);
  }

  /**
   * Decodes the JSON text.
   *
   * @return the envelope
   */
  @Benchmark
  public Envelope decode() {
    return codec.decode(encoded);
  }
}
