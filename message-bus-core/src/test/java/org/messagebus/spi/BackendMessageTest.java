// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The stored message form of SPEC §1.5, with the byte vectors of SPEC Appendix A. */
class BackendMessageTest {

  @Test
  void encode_plainChannel_matchesRubyBytes() {
    String payload =
        "{\"data\":{\"a\":1,\"s\":\"םוֹ/x\u2028\"},\"user_ids\":[1,\"2\"],"
            + "\"group_ids\":null,\"client_ids\":null}";
    assertThat(new BackendMessage(1, 1, "/foo", payload).encode()).isEqualTo("1|1|/foo|" + payload);
  }

  @Test
  void encode_sitedChannel_escapesEveryPipe() {
    String payload = "{\"data\":\"x\",\"user_ids\":null,\"group_ids\":null,\"client_ids\":null}";
    BackendMessage m = new BackendMessage(2, 1, "/foo|bar$|$s1", payload);

    assertThat(m.encode()).isEqualTo("2|1|/foo$$123$$bar$$$123$$$s1|" + payload);
    assertThat(BackendMessage.decode(m.encode())).isEqualTo(m);
  }

  @Test
  void roundTrip_pipeChannelAndPipeData_survives() {
    BackendMessage m = new BackendMessage(7, 3, "||", "||");

    BackendMessage decoded = BackendMessage.decode(m.encode());

    assertThat(decoded.channel()).isEqualTo("||");
    assertThat(decoded.payload()).isEqualTo("||");
    assertThat(decoded.globalId()).isEqualTo(7);
    assertThat(decoded.messageId()).isEqualTo(3);
  }

  @Test
  void decode_payloadWithPipes_keepsEverythingAfterThirdPipe() {
    BackendMessage m = BackendMessage.decode("10|4|/chat|{\"data\":\"a|b|c\"}");

    assertThat(m.payload()).isEqualTo("{\"data\":\"a|b|c\"}");
    assertThat(m.channel()).isEqualTo("/chat");
  }

  @Test
  void decode_idsAreReadAsLeadingIntegers() {
    BackendMessage m = BackendMessage.decode("12abc| 5|/x|p");

    assertThat(m.globalId()).isEqualTo(12);
    assertThat(m.messageId()).isEqualTo(5);
  }

  @Test
  void decode_tooFewPipes_isRejected() {
    assertThatThrownBy(() -> BackendMessage.decode("1|2|nochannel"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gid|mid|channel|payload");
  }

  @Test
  void encodeWithoutIds_isEscapedChannelAndPayload() {
    assertThat(BackendMessage.encodeWithoutIds("/a|b$|$s2", "{}"))
        .isEqualTo("/a$$123$$b$$$123$$$s2|{}");
  }
}
