// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlainErrorHandlerTest {

  @Test
  void plainErrorHandler_reason_isJettysMessageFor4xx_andThePhraseFor5xx() {
    assertThat(PlainErrorHandler.reason(400, "Bad\r\nHost")).isEqualTo("Bad\\r\\nHost");
    assertThat(PlainErrorHandler.reason(404, null)).isEqualTo("Not Found");
    assertThat(PlainErrorHandler.reason(500, "java.lang.IllegalStateException: secret"))
        .isEqualTo("Server Error");
    assertThat(PlainErrorHandler.reason(505, "Unknown Version"))
        .isEqualTo("HTTP Version Not Supported");
  }
}
