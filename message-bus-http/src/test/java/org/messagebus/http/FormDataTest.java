// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link FormData}: the plain-ASCII fast path decodes as the general path does. */
class FormDataTest {

  private static java.util.List<FormData.Field> parse(String form, java.nio.charset.Charset cs) {
    return FormData.parse(form.getBytes(StandardCharsets.ISO_8859_1), cs, 100, "the form body");
  }

  @Test
  void plainAscii_escapes_andNonAscii_decodeAlike() {
    assertThat(parse("/a=1&/b/c=-1&__seq=7&k", StandardCharsets.UTF_8))
        .containsExactly(
            new FormData.Field("/a", "1"),
            new FormData.Field("/b/c", "-1"),
            new FormData.Field("__seq", "7"),
            new FormData.Field("k", null));
    assertThat(parse("/a+b=%2Fx%20y", StandardCharsets.UTF_8))
        .containsExactly(new FormData.Field("/a b", "/x y"));
    // é as two raw UTF-8 bytes (not ASCII: the general path decodes it)
    assertThat(parse("/caf\u00c3\u00a9=1", StandardCharsets.UTF_8))
        .containsExactly(new FormData.Field("/caf\u00e9", "1"));
    assertThat(parse("/caf\u00e9=1", StandardCharsets.ISO_8859_1))
        .containsExactly(new FormData.Field("/caf\u00e9", "1"));
  }

  @Test
  void escapedFields_decodeToAscii_orThroughTheCharset() {
    // The broadcast body: escaped, but ASCII once decoded (made into the string directly).
    assertThat(parse("channel=%2Fbroadcast&data=hello+world+0123456789", StandardCharsets.UTF_8))
        .containsExactly(
            new FormData.Field("channel", "/broadcast"),
            new FormData.Field("data", "hello world 0123456789"));
    assertThat(parse("a=%41%7e%7F", StandardCharsets.US_ASCII))
        .containsExactly(new FormData.Field("a", "A~\u007f"));
    // Escaped non-ASCII: decoded strictly by the charset.
    assertThat(parse("/x=caf%C3%A9+%E2%82%AC", StandardCharsets.UTF_8))
        .containsExactly(new FormData.Field("/x", "caf\u00e9 \u20ac"));
    assertThat(parse("/x=caf%E9", StandardCharsets.ISO_8859_1))
        .containsExactly(new FormData.Field("/x", "caf\u00e9"));
    assertThatThrownBy(() -> parse("/x=caf%C3", StandardCharsets.UTF_8))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("not valid UTF-8");
    assertThatThrownBy(() -> parse("/x=%4", StandardCharsets.UTF_8))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("not valid URL encoding");
  }

  @Test
  void invalidBytes_areStillRefused() {
    assertThatThrownBy(() -> parse("/a=\u00ff", StandardCharsets.UTF_8))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("not valid UTF-8");
    assertThatThrownBy(() -> parse("/a=%zz", StandardCharsets.UTF_8))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("not valid URL encoding");
  }

  @Test
  void charset_readsTheCommonHeaderWithoutSplitting_andTheRestAsBefore() {
    assertThat(FormData.charset("application/x-www-form-urlencoded", StandardCharsets.ISO_8859_1))
        .isEqualTo(StandardCharsets.ISO_8859_1);
    assertThat(
            FormData.charset(
                "application/x-www-form-urlencoded; charset=utf-8", StandardCharsets.ISO_8859_1))
        .isEqualTo(StandardCharsets.UTF_8);
    assertThat(
            FormData.charset(
                "application/x-www-form-urlencoded;charset=\"ISO-8859-1\"", StandardCharsets.UTF_8))
        .isEqualTo(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> FormData.charset("text/plain; charset=nope", StandardCharsets.UTF_8))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("unsupported charset");
  }
}
