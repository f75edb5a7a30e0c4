// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A client's value in a reason is escaped to one line of valid text and abbreviated. */
class ReasonsTest {

  @Test
  void echo_plainValue_isKeptAsIs() {
    assertThat(Reasons.echo("/chat/42 é 日本 \uD83D\uDE00")).isEqualTo("/chat/42 é 日本 \uD83D\uDE00");
  }

  @Test
  void echo_lineBreaksAndControls_areEscaped() {
    assertThat(Reasons.echo("/\r\n|\r\n")).isEqualTo("/\\r\\n|\\r\\n");
    assertThat(Reasons.echo("a\tb\u0000c\u001bd\u007fe\u0085f\u2028g\u2029h"))
        .isEqualTo("a\\tb\\u0000c\\u001Bd\\u007Fe\\u0085f\\u2028g\\u2029h");
  }

  @Test
  void echo_unpairedSurrogates_areEscaped() {
    assertThat(Reasons.echo("/\uD800x\uDC00")).isEqualTo("/\\uD800x\\uDC00");
  }

  @Test
  void echo_longValue_isCutAfter60CodePoints() {
    assertThat(Reasons.echo("a".repeat(60))).isEqualTo("a".repeat(60));
    assertThat(Reasons.echo("a".repeat(61))).isEqualTo("a".repeat(60) + "...");
  }

  @Test
  void echo_cutNeverSplitsASurrogatePair() {
    String emoji = "\uD83D\uDE00";
    assertThat(Reasons.echo(emoji.repeat(61))).isEqualTo(emoji.repeat(60) + "...");
  }

  @Test
  void oneLine_null_isTheWordNull() {
    assertThat(Reasons.oneLine(null, 10)).isEqualTo("null");
  }
}
