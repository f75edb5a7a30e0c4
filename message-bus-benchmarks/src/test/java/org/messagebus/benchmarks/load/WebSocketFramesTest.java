// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebSocketFramesTest {

  private final List<String> seen = new ArrayList<>();
  private final WebSocketFrames.Reader reader = new WebSocketFrames.Reader(listenerInto(seen));

  private static WebSocketFrames.Listener listenerInto(List<String> into) {
    return new WebSocketFrames.Listener() {
      @Override
      public void text(byte[] buf, int off, int len) {
        String t = new String(buf, off, len, StandardCharsets.UTF_8);
        into.add(t.length() > 40 ? "text of " + len + " bytes" : "text " + t);
      }

      @Override
      public void ping(byte[] payload) {
        into.add("ping " + new String(payload, StandardCharsets.UTF_8));
      }

      @Override
      public void close(int code, String reason) {
        into.add("close " + code + " " + reason);
      }
    };
  }

  /** An unmasked server frame; the length in the shortest form unless forced. */
  private static byte[] frame(boolean fin, int opcode, byte[] payload, int lengthBytes) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write((fin ? 0x80 : 0) | opcode);
    int n = payload.length;
    if (lengthBytes == 0) {
      b.write(n);
    } else if (lengthBytes == 2) {
      b.write(126);
      b.write(n >>> 8);
      b.write(n);
    } else {
      b.write(127);
      for (int k = 7; k >= 0; k--) {
        b.write((int) ((long) n >>> (8 * k)));
      }
    }
    b.writeBytes(payload);
    return b.toByteArray();
  }

  private static byte[] frame(boolean fin, int opcode, String payload) {
    byte[] p = payload.getBytes(StandardCharsets.UTF_8);
    return frame(fin, opcode, p, p.length < 126 ? 0 : p.length < 65536 ? 2 : 8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }

  private static String repeat(char c, int n) {
    char[] a = new char[n];
    Arrays.fill(a, c);
    return new String(a);
  }

  // Text of every length form, a fragmented message with a ping between its fragments, a close.
  private static final byte[] CONVERSATION =
      concat(
          frame(true, 0x1, "[{\"channel\":\"/load\"}]"),
          frame(true, 0x1, repeat('a', 300)), // 16-bit length
          frame(true, 0x1, repeat('b', 70_000).getBytes(StandardCharsets.US_ASCII), 8),
          frame(false, 0x1, "[1,"),
          frame(true, 0x9, "keep"),
          frame(false, 0x0, "2,"),
          frame(true, 0x0, "3]"),
          frame(true, 0x8, new byte[] {0x11, 0x4D, 'f', 'u', 'l', 'l'}, 0));

  private static final List<String> EXPECTED =
      List.of(
          "text [{\"channel\":\"/load\"}]",
          "text of 300 bytes",
          "text of 70000 bytes",
          "ping keep",
          "text [1,2,3]",
          "close 4429 full");

  @Test
  void aConversation_inOnePiece() throws Exception {
    reader.feed(CONVERSATION, 0, CONVERSATION.length);
    assertThat(seen).isEqualTo(EXPECTED);
    assertThat(reader.inFrame()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 125, 1000, 65536})
  void aConversation_inPiecesOfAnySize_givesTheSameMessages(int size) throws Exception {
    for (int i = 0; i < CONVERSATION.length; i += size) {
      reader.feed(CONVERSATION, i, Math.min(size, CONVERSATION.length - i));
    }
    assertThat(seen).isEqualTo(EXPECTED);
  }

  @Test
  void aFrameSplitAtEveryPoint_inTwoPieces() throws Exception {
    byte[] f = concat(frame(false, 0x1, repeat('x', 200)), frame(true, 0x0, "!"));
    for (int cut = 0; cut <= f.length; cut++) {
      List<String> into = new ArrayList<>();
      WebSocketFrames.Reader r = new WebSocketFrames.Reader(listenerInto(into));
      r.feed(f, 0, cut);
      assertThat(r.inFrame()).isEqualTo(cut > 0 && cut < f.length);
      r.feed(f, cut, f.length - cut);
      assertThat(into).as("cut at %d", cut).containsExactly("text of 201 bytes");
    }
  }

  @Test
  void anEmptyCloseFrame_saysNoCode() throws Exception {
    byte[] f = frame(true, 0x8, new byte[0], 0);
    reader.feed(f, 0, f.length);
    assertThat(seen).containsExactly("close 1005 ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "masked",
        "reserved",
        "binary",
        "continuation first",
        "text inside text",
        "long ping",
        "fragmented ping",
        "opcode 3",
        "top bit"
      })
  void brokenFraming_isMalformed(String what) throws Exception {
    byte[] bad =
        switch (what) {
          case "masked" -> new byte[] {(byte) 0x81, (byte) 0x81, 1, 2, 3, 4, 'x'};
          case "reserved" -> new byte[] {(byte) 0xC1, 0};
          case "binary" -> frame(true, 0x2, "x");
          case "continuation first" -> frame(true, 0x0, "x");
          case "text inside text" -> concat(frame(false, 0x1, "a"), frame(true, 0x1, "b"));
          case "long ping" -> new byte[] {(byte) 0x89, 126, 0, 126};
          case "fragmented ping" -> frame(false, 0x9, "x");
          case "opcode 3" -> frame(true, 0x3, "x");
          case "top bit" -> new byte[] {(byte) 0x81, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1};
          default -> throw new IllegalArgumentException(what);
        };
    assertThatThrownBy(() -> reader.feed(bad, 0, bad.length))
        .isInstanceOf(MalformedResponseException.class);
    assertThatThrownBy(() -> reader.feed(new byte[] {0}, 0, 1))
        .as("unusable after a malformed frame")
        .hasMessageContaining("after a malformed frame");
  }

  @Test
  void clientFrames_areMaskedWithTheKey_inEveryLengthForm() {
    for (int n : new int[] {0, 5, 125, 126, 65535, 65536}) {
      byte[] payload = repeat('p', n).getBytes(StandardCharsets.US_ASCII);
      ByteBuffer f = WebSocketFrames.clientFrame(0x1, payload, 0x01020304);
      int b0 = f.get() & 0xFF;
      int b1 = f.get() & 0xFF;
      assertThat(b0).isEqualTo(0x81);
      assertThat(b1 & 0x80).as("mask bit").isEqualTo(0x80);
      long len = b1 & 0x7F;
      if (len == 126) {
        len = f.getShort() & 0xFFFF;
      } else if (len == 127) {
        len = f.getLong();
      }
      assertThat(len).isEqualTo(n);
      byte[] mask = new byte[4];
      f.get(mask);
      assertThat(mask).containsExactly(1, 2, 3, 4);
      assertThat(f.remaining()).isEqualTo(n);
      for (int i = 0; i < n; i++) {
        assertThat((byte) (f.get() ^ mask[i & 3])).isEqualTo((byte) 'p');
      }
    }
  }

  @Test
  void theAcceptValue_isTheRfcExample() {
    // RFC 6455, section 1.3
    assertThat(WebSocketFrames.accept("dGhlIHNhbXBsZSBub25jZQ=="))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assertThat(WebSocketFrames.newKey()).hasSize(24).isNotEqualTo(WebSocketFrames.newKey());
  }
}
