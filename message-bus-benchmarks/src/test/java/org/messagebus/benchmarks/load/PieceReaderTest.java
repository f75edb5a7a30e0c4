// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PieceReaderTest {

  private final List<String> pieces = new ArrayList<>();
  private final PieceReader reader =
      new PieceReader((b, off, len) -> pieces.add(new String(b, off, len, StandardCharsets.UTF_8)));

  private void feed(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    reader.body(b, 0, b.length);
  }

  @Test
  void streamedReply_severalPiecesInOneRead_areSplitOnTheSeparator() {
    reader.start("text/plain; charset=utf-8");
    feed("[]\r\n|\r\n[1]\r\n|\r\n[2,3]\r\n|\r\n");
    assertThat(pieces).containsExactly("[]", "[1]", "[2,3]");
  }

  @Test
  void streamedReply_splitAtEveryByteBoundary_givesTheSamePieces() {
    String stream = "[{\"a\":1}]\r\n|\r\n[]\r\n|\r\n[2]\r\n|\r\n";
    for (int cut = 1; cut < stream.length(); cut++) {
      pieces.clear();
      reader.start("text/plain; charset=utf-8");
      feed(stream.substring(0, cut));
      feed(stream.substring(cut));
      assertThat(pieces).as("cut at %d", cut).containsExactly("[{\"a\":1}]", "[]", "[2]");
    }
  }

  @Test
  void streamedReply_escapedSeparator_isUnescaped() {
    reader.start("text/plain; charset=utf-8");
    feed("[\"a\r\n||\r\nb\"]\r\n|\r\n");
    assertThat(pieces).containsExactly("[\"a\r\n|\r\nb\"]");
  }

  @Test
  void streamedReply_partialPieceAtTheEnd_isDropped() {
    reader.start("text/plain; charset=utf-8");
    feed("[1]\r\n|\r\n[2]\r\n");
    reader.end();
    assertThat(pieces).containsExactly("[1]");
  }

  @Test
  void jsonReply_isOnePieceWhenItEnds() {
    reader.start(PieceReader.JSON_TYPE);
    feed("[{\"a\":");
    feed("1}]");
    assertThat(pieces).isEmpty();
    reader.end();
    assertThat(pieces).containsExactly("[{\"a\":1}]");
  }

  @Test
  void contentTypeOtherThanTheExactJsonOne_isAStream() {
    reader.start("application/json;charset=UTF-8");
    assertThat(reader.streamed()).isTrue();
    reader.start(null);
    assertThat(reader.streamed()).isTrue();
    reader.start("application/json; charset=utf-8");
    assertThat(reader.streamed()).isFalse();
  }
}
