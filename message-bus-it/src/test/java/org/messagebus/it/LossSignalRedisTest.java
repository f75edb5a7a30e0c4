// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.PublishOptions;

/**
 * The loss signal on the real Redis, where a channel's ids are its own and consecutive, so the lost
 * range is exact: a position trimmed from the backlog, and ids restarted by another process (the
 * channel's keys deleted, as Ruby's reset or the keys' expiry do). Polls go over a socket to the
 * real server, with a recent window of 4 that must not hide either (the positions are outside it).
 * The bus uses database {@value RedisSupport#DB_LOSS} and a notification channel of its own.
 */
class LossSignalRedisTest {

  private static final int DB = RedisSupport.DB_LOSS;
  private static final String NOTIFICATIONS = "_message_bus_loss_signal_test";
  private static final PublishOptions KEEP_3 = PublishOptions.builder().maxBacklogSize(3).build();

  private RecentWindowServer served;

  @BeforeEach
  void start() throws Exception {
    served = RecentWindowServer.onRedis(DB, NOTIFICATIONS);
  }

  @AfterEach
  void stop() throws Exception {
    if (served != null) {
      served.close();
    }
  }

  /** Publishes {@code n} messages keeping 3, each seen by the window; returns the last id. */
  private long publishKeeping3(String channel, String prefix, int n) throws InterruptedException {
    long id = 0;
    for (int i = 1; i <= n; i++) {
      id = served.bus().publish(channel, prefix + i, KEEP_3);
    }
    served.awaitDispatched(channel, id);
    return id;
  }

  private static String loss(String channel, String range) {
    return "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__loss\",\"data\":{\""
        + channel
        + "\":"
        + range
        + "}},";
  }

  @Test
  void trimmedPosition_namesTheExactRange_stockPollDoesNot() throws Exception {
    assertThat(publishKeeping3("/t", "m", 10)).isEqualTo(10); // keeps 8, 9, 10; the window 7..10

    String optedIn = served.poll("__loss=1", "/t=1");
    String stock = served.poll("dlp=f", "/t=1");

    assertThat(optedIn).startsWith(loss("/t", "{\"from\":2,\"to\":7}"));
    assertThat(optedIn).contains("\"m8\"", "\"m9\"", "\"m10\"").endsWith("{\"/t\":10}}]");
    assertThat(stock).doesNotContain("/__loss").contains("\"m8\"").doesNotContain("\"m7\"");
    assertThat(served.poll("__loss=1", "/t=8")).doesNotContain("/__loss").contains("\"m9\"");
  }

  @Test
  void idsRestartedByAnotherProcess_areReported_andTheNewNumberingIsDelivered() throws Exception {
    long old = publishKeeping3("/x", "old", 10);
    // Another process deletes the channel (Ruby's reset!, or its keys' expiry): ids restart at 1.
    try (RedisSupport.Connection redis = RedisSupport.connect(DB)) {
      redis.commands().del("__mb_backlog_id_n_/x", "__mb_backlog_n_/x");
    }
    assertThat(publishKeeping3("/x", "new", 5)).isEqualTo(5); // keeps 3, 4, 5

    String optedIn = served.poll("__loss=1", "/x=" + old);
    String stock = served.poll("", "/x=" + old);

    assertThat(optedIn).startsWith(loss("/x", "{\"from\":1,\"to\":2,\"reset\":true}"));
    assertThat(optedIn)
        .contains("\"new3\"", "\"new4\"", "\"new5\"")
        .doesNotContain("\"new2\"")
        .endsWith("{\"/x\":5}}]");
    assertThat(stock)
        .as("the stock reply: a status moving the client to the new newest id, no message")
        .isEqualTo(
            "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\",\"data\":{\"/x\":5}}]");
  }
}
