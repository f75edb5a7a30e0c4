// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.MessageIdScheme;

class ReadCountingBackendTest {

  @Test
  void countsPositionAndBacklogReads_aBatchOnce_andNothingElse() {
    ReadCountingBackend backend =
        new ReadCountingBackend(MemoryBackend.create(), MessageIdScheme.GLOBAL);
    try {
      long a = backend.publish("/a", "x", BackendPublishOptions.NONE);
      long b = backend.publish("/b", "y", BackendPublishOptions.NONE);
      backend.lastGlobalId();
      backend.globalBacklog(0);
      backend.getMessage("/a", a);
      assertThat(backend.reads()).isZero();

      assertThat(backend.lastId("/a")).isEqualTo(a);
      assertThat(backend.reads()).isEqualTo(1);
      assertThat(backend.lastIds(List.of("/a", "/b", "/none"))).containsExactly(a, b, 0);
      assertThat(backend.reads()).isEqualTo(2);
      assertThat(backend.backlog("/a", 0)).extracting(BackendMessage::payload).containsExactly("x");
      assertThat(backend.reads()).isEqualTo(3);
    } finally {
      backend.close();
    }
  }

  @Test
  void messageIdScheme_isTheOneItWasGiven() {
    ReadCountingBackend global =
        new ReadCountingBackend(MemoryBackend.create(), MessageIdScheme.GLOBAL);
    ReadCountingBackend unknown =
        new ReadCountingBackend(MemoryBackend.create(), MessageIdScheme.UNKNOWN);

    assertThat(global.messageIdScheme()).isEqualTo(MessageIdScheme.GLOBAL);
    assertThat(unknown.messageIdScheme()).isEqualTo(MessageIdScheme.UNKNOWN);
    global.close();
    unknown.close();
  }
}
