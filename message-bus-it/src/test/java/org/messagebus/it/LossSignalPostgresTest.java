// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;

/**
 * The loss signal on the real PostgreSQL, where a channel's ids are global ids (holes between them
 * are other channels' messages, not loss): a position trimmed away is reported from it to the
 * oldest retained message, a retained position is not, and a store reset is reported with the new
 * numbering delivered. Polls over a socket to the real server, with a recent window of 4 that the
 * positions are outside of. Its own table ({@value #PREFIX}message_bus, dropped afterwards) and
 * notification channel.
 */
class LossSignalPostgresTest {

  private static final String PREFIX = "loss_signal_it_";
  private static final PublishOptions KEEP_3 = PublishOptions.builder().maxBacklogSize(3).build();

  private RecentWindowServer served;

  @BeforeEach
  void start() throws Exception {
    served = RecentWindowServer.onPostgres(PREFIX, "loss_signal_it");
  }

  @AfterEach
  void stop() throws Exception {
    if (served != null) {
      served.close();
    }
  }

  @Test
  void trimmedPosition_isReportedUpToTheOldestRetained_aRetainedOneIsNot_andAResetIsReported()
      throws Exception {
    MessageBus bus = served.bus();
    long[] a = new long[10];
    for (int i = 0; i < a.length; i++) {
      a[i] = bus.publish("/a", "a" + i, KEEP_3);
      bus.publish("/b", "b" + i); // holes in /a's ids: not loss
    }
    served.awaitDispatchedUpTo(a[9]);

    String trimmed = served.poll("__loss=1", "/a=" + a[0]);
    assertThat(trimmed)
        .startsWith(
            "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__loss\",\"data\":{\"/a\":"
                + "{\"from\":"
                + (a[0] + 1)
                + ",\"to\":"
                + (a[7] - 1)
                + "}}},")
        .contains("\"a7\"", "\"a8\"", "\"a9\"")
        .endsWith("{\"/a\":" + a[9] + "}}]");
    assertThat(served.poll("dlp=t&__loss=1", "/a=" + a[7]))
        .as("the position is retained: the holes before the next message are other channels'")
        .doesNotContain("/__loss")
        .contains("\"a8\"", "\"a9\"");

    bus.reset();
    long fresh = bus.publish("/a", "after reset");
    // Until the window has seen the new numbering, a poll at the old position may be held and get
    // the message live instead (see docs/http.md): wait for exactly this message.
    served.awaitDispatched(
        "the message after the reset dispatched", m -> "after reset".equals(m.data()));
    assertThat(served.poll("__loss=1", "/a=" + a[9]))
        .startsWith(
            "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__loss\",\"data\":{\"/a\":"
                + "{\"from\":1,\"to\":"
                + (fresh - 1)
                + ",\"reset\":true}}},")
        .contains("\"after reset\"");
  }
}
