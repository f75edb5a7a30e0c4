// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming framing of SPEC §4.12, fed with every possible chunk boundary. */
class StreamSplitterTest {

  private static final String STREAM =
      "[{\"channel\":\"/a\",\"data\":\"héllo ✓ 😀\"}]\r\n|\r\n"
          + "[{\"channel\":\"/a\",\"data\":\"a\r\n||\r\nb\"}]\r\n|\r\n"
          + "[]\r\n|\r\n";

  private static final List<String> PIECES =
      List.of(
          "[{\"channel\":\"/a\",\"data\":\"héllo ✓ 😀\"}]",
          "[{\"channel\":\"/a\",\"data\":\"a\r\n|\r\nb\"}]",
          "[]");

  @Test
  void wholeStream_givesEveryPieceUnescaped() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    StreamSplitter s = new StreamSplitter();

    assertThat(s.feed(bytes, 0, bytes.length)).containsExactlyElementsOf(PIECES);
    assertThat(s.remaining()).isZero();
  }

  @Test
  void byteByByte_givesTheSamePieces() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    StreamSplitter s = new StreamSplitter();
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      pieces.addAll(s.feed(bytes, i, 1));
    }

    assertThat(pieces).containsExactlyElementsOf(PIECES);
  }

  @Test
  void everySplitPointInTwo_givesTheSamePieces() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      StreamSplitter s = new StreamSplitter();
      List<String> pieces = new ArrayList<>(s.feed(bytes, 0, cut));
      pieces.addAll(s.feed(bytes, cut, bytes.length - cut));

      assertThat(pieces).as("cut at %d", cut).containsExactlyElementsOf(PIECES);
    }
  }

  @Test
  void incompleteTrailingPiece_waitsForMoreData() {
    byte[] bytes = "[]\r\n|\r\n[{\"x\":1}]\r\n|".getBytes(StandardCharsets.UTF_8);
    StreamSplitter s = new StreamSplitter();

    assertThat(s.feed(bytes, 0, bytes.length)).containsExactly("[]");
    assertThat(s.remaining()).isPositive();
    byte[] rest = "\r\n".getBytes(StandardCharsets.UTF_8);
    assertThat(s.feed(rest, 0, rest.length)).containsExactly("[{\"x\":1}]");
  }
}
