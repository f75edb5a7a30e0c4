// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.messagebus.JsonTransportCodec;
import org.messagebus.Message;

class EncodedRepliesTest {

  private final ObjectMapper json = JsonTransportCodec.defaultMapper();
  private final EncodedReplies replies = new EncodedReplies(json);

  private static Message message(long id, Object data) {
    return new Message(id, id, "/c", data, null, List.of(), List.of(), List.of());
  }

  @Test
  void theSameMessagesShareOneEncodingWithWiresBytes() {
    Message a = message(1, "a");
    Message b = message(2, Map.of("k", "v"));
    byte[] first = replies.json(new ArrayList<>(List.of(a, b)));
    byte[] again = replies.json(List.of(a, b));

    assertThat(first).isEqualTo(Wire.json(json, List.of(a, b)));
    assertThat(again).isSameAs(first);
  }

  @Test
  void equalButOtherMessagesAndOtherListsAreEncodedAfresh() {
    Message a = message(1, "a");
    byte[] first = replies.json(List.of(a));

    byte[] copy = replies.json(List.of(message(1, "a")));
    byte[] longer = replies.json(List.of(a, message(2, "b")));

    assertThat(copy).isNotSameAs(first).isEqualTo(first);
    assertThat(longer).isEqualTo(Wire.json(json, List.of(a, message(2, "b"))));
  }

  @Test
  void aReplyWithAStatusIsNotKept() {
    Message a = message(1, "a");
    List<Message> withStatus = List.of(a, Message.status(Map.of("/c", 1L)));

    byte[] first = replies.json(withStatus);
    byte[] again = replies.json(withStatus);

    assertThat(first).isEqualTo(Wire.json(json, withStatus));
    assertThat(again).isNotSameAs(first).isEqualTo(first);
  }

  @Test
  void noMessagesAreTheEmptyArray() {
    assertThat(replies.json(List.of())).isEqualTo(Wire.json(json, List.of()));
  }
}
