// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.messagebus.BackendState;
import org.messagebus.Message;
import org.messagebus.spi.MessageIdScheme;

/**
 * The recent-message window alone: messages are handed in as the firehose would, time is a fake
 * ticker. No bus, no socket, no wall clock.
 */
class RecentWindowTest {

  private static final long DAY = 86_400_000_000_000L;

  private final AtomicLong now = new AtomicLong(1_000);
  private long globalId;

  private RecentWindow window(MessageIdScheme scheme, int messages, int channels, long bytes) {
    RecentWindow w = new RecentWindow(scheme, messages, bytes / 16, channels, bytes, DAY, now::get);
    w.backendState(BackendState.CONNECTED);
    return w;
  }

  private RecentWindow redis() {
    return window(MessageIdScheme.PER_CHANNEL, 4, 100, 1_000_000);
  }

  private RecentWindow memory() {
    return window(MessageIdScheme.GLOBAL, 4, 100, 1_000_000);
  }

  /** A message on a per-channel-id store: the next global id, the given message id. */
  private Message redisMessage(String channel, long messageId) {
    return new Message(++globalId, messageId, channel, "x", null, List.of(), List.of(), List.of());
  }

  /** A message on a global-id store: message id = global id. */
  private Message globalMessage(String channel) {
    ++globalId;
    return new Message(globalId, globalId, channel, "x", null, List.of(), List.of(), List.of());
  }

  private static List<Long> ids(List<Message> messages) {
    return messages.stream().map(Message::messageId).toList();
  }

  @Test
  void unknownScheme_isRefused() {
    assertThatThrownBy(
            () -> new RecentWindow(MessageIdScheme.UNKNOWN, 4, 100, 100, 1_000, DAY, now::get))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void perChannelIds_firstMessageSeen_makesTheEntryCompleteAfterTheIdBelowIt() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 7), 10);
    w.add(redisMessage("/a", 8), 10);

    RecentWindow.Read current = w.read("/a", null, 8);
    assertThat(current).isNotNull();
    assertThat(current.lastId()).isEqualTo(8);
    assertThat(current.after()).isEmpty();
    RecentWindow.Read behind = w.read("/a", null, 6);
    assertThat(behind).isNotNull();
    assertThat(ids(behind.after())).containsExactly(7L, 8L);
    assertThat(w.read("/a", null, 5)).as("message 6 was never seen").isNull();
  }

  @Test
  void positionAheadOfWhatWasSeen_isLeftToTheStore() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 1), 10);

    assertThat(w.read("/a", null, 2)).isNull();
  }

  @Test
  void coldChannelAndNegativePositions_areLeftToTheStore() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 1), 10);

    assertThat(w.read("/b", null, 0)).isNull();
    assertThat(w.read("/a", null, -1)).isNull();
    assertThat(w.read("/a", null, -3)).isNull();
  }

  @Test
  void sitesAreSeparateChannels_butGlobalChannelsAreShared() {
    RecentWindow w = redis();
    w.add(new Message(1, 1, "/a", "x", "s1", List.of(), List.of(), List.of()), 10);
    w.add(new Message(2, 1, "/global/g", "x", null, List.of(), List.of(), List.of()), 10);

    assertThat(w.read("/a", "s1", 1)).isNotNull();
    assertThat(w.read("/a", "s2", 1)).isNull();
    assertThat(w.read("/a", null, 1)).isNull();
    assertThat(w.read("/global/g", "s2", 1)).isNotNull();
  }

  @Test
  void count_bound_dropsTheOldest_andMovesCompletenessUp() {
    RecentWindow w = redis(); // 4 per channel
    for (long id = 1; id <= 6; id++) {
      w.add(redisMessage("/a", id), 10);
    }

    RecentWindow.Read read = w.read("/a", null, 2);
    assertThat(read).isNotNull();
    assertThat(ids(read.after())).containsExactly(3L, 4L, 5L, 6L);
    assertThat(w.read("/a", null, 1)).as("message 2 left the ring").isNull();
    assertThat(w.bytes()).isEqualTo(40);
  }

  @Test
  void channelBytes_bound_dropsTheOldest_butKeepsOneMessageWhateverItsSize() {
    RecentWindow w = window(MessageIdScheme.PER_CHANNEL, 64, 100, 1_600); // 100 bytes a channel
    w.add(redisMessage("/a", 1), 60);
    w.add(redisMessage("/a", 2), 60);

    assertThat(w.read("/a", null, 0)).isNull();
    assertThat(ids(w.read("/a", null, 1).after())).containsExactly(2L);

    w.add(redisMessage("/a", 3), 500);
    assertThat(w.read("/a", null, 2)).isNotNull();
    assertThat(w.bytes()).isEqualTo(500);
  }

  @Test
  void channels_bound_evictsTheLeastRecentlyUsed() {
    RecentWindow w = window(MessageIdScheme.PER_CHANNEL, 4, 2, 1_000_000);
    w.add(redisMessage("/a", 1), 10);
    w.add(redisMessage("/b", 1), 10);
    assertThat(w.read("/a", null, 1)).isNotNull(); // /a is now the most recently used

    w.add(redisMessage("/c", 1), 10);

    assertThat(w.channels()).isEqualTo(2);
    assertThat(w.read("/b", null, 1)).isNull();
    assertThat(w.read("/a", null, 1)).isNotNull();
    assertThat(w.read("/c", null, 1)).isNotNull();
  }

  @Test
  void totalBytes_bound_evictsWholeChannels() {
    RecentWindow w = window(MessageIdScheme.PER_CHANNEL, 4, 100, 1_600); // 100 bytes a channel
    for (int c = 0; c < 20; c++) {
      w.add(redisMessage("/c" + c, 1), 90);
    }

    assertThat(w.bytes()).isLessThanOrEqualTo(1_600);
    assertThat(w.channels()).isEqualTo(17);
    assertThat(w.read("/c0", null, 1)).isNull();
    assertThat(w.read("/c19", null, 1)).isNotNull();
  }

  @Test
  void perChannelIds_restartAtOrBelowTheLastId_dropTheEntry_andSayRestarted() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 5), 10);
    w.add(redisMessage("/a", 6), 10);

    RecentWindow.Verdict v = w.add(redisMessage("/a", 1), 10); // expired, or reset by Ruby

    assertThat(v).isEqualTo(RecentWindow.Verdict.RESTARTED);
    assertThat(w.read("/a", null, 6)).as("an old position is ahead now").isNull();
    RecentWindow.Read read = w.read("/a", null, 0);
    assertThat(read).isNotNull();
    assertThat(ids(read.after())).containsExactly(1L);
  }

  @Test
  void perChannelIds_aHole_startsTheRingAgain() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 1), 10);
    w.add(redisMessage("/a", 2), 10);

    RecentWindow.Verdict v = w.add(redisMessage("/a", 5), 10); // 3 and 4 never reached us

    assertThat(v).isEqualTo(RecentWindow.Verdict.CONTINUES);
    assertThat(w.read("/a", null, 2)).isNull();
    assertThat(w.read("/a", null, 4)).isNotNull();
  }

  @Test
  void perChannelIds_verdictIsUnknown_withoutHistory_andContinues_after() {
    RecentWindow w = redis();
    assertThat(w.add(redisMessage("/a", 3), 10)).isEqualTo(RecentWindow.Verdict.UNKNOWN);
    assertThat(w.add(redisMessage("/a", 4), 10)).isEqualTo(RecentWindow.Verdict.CONTINUES);
  }

  @Test
  void globalIds_entriesAreCompleteFromWhereTheStreamWasFirstSeen() {
    RecentWindow w = memory();
    globalId = 40;
    Message first = globalMessage("/other"); // 41: the stream is seen from here
    assertThat(w.add(first, 10))
        .as("the first message cannot tell")
        .isEqualTo(RecentWindow.Verdict.UNKNOWN);
    Message a = globalMessage("/a"); // 42

    assertThat(w.add(a, 10)).isEqualTo(RecentWindow.Verdict.CONTINUES);
    RecentWindow.Read read = w.read("/a", null, 40);
    assertThat(read).as("complete after 40: no /a message since").isNotNull();
    assertThat(ids(read.after())).containsExactly(42L);
    assertThat(w.read("/a", null, 39)).isNull();
    assertThat(w.read("/a", null, 41).lastId()).isEqualTo(42);
  }

  @Test
  void globalIds_anEvictedChannel_comesBackCompleteOnlyAfterWhatWasDropped() {
    RecentWindow w = window(MessageIdScheme.GLOBAL, 4, 1, 1_000_000); // one channel
    w.add(globalMessage("/a"), 10); // 1
    w.add(globalMessage("/b"), 10); // 2: evicts /a (last id 1)
    w.add(globalMessage("/a"), 10); // 3: evicts /b (last id 2)

    assertThat(w.read("/a", null, 0)).as("message 1 was dropped with the old entry").isNull();
    assertThat(ids(w.read("/a", null, 1).after())).containsExactly(3L);
  }

  @Test
  void globalIds_goingBackwards_isAReset_dropsEverything_andSaysRestarted() {
    RecentWindow w = memory();
    w.add(globalMessage("/a"), 10);
    w.add(globalMessage("/b"), 10);

    globalId = 0;
    RecentWindow.Verdict v = w.add(globalMessage("/b"), 10);

    assertThat(v).isEqualTo(RecentWindow.Verdict.RESTARTED);
    assertThat(w.read("/a", null, 1)).isNull();
    assertThat(w.channels()).isEqualTo(1);
  }

  @Test
  void backendLeavingConnected_dropsEverything_andStopsAnsweringUntilBack() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 1), 10);
    long token = w.token();

    w.backendState(BackendState.DISCONNECTED);

    assertThat(w.read("/a", null, 1)).isNull();
    assertThat(w.caughtUp("/a", null, 1, token)).isNull();
    assertThat(w.add(redisMessage("/a", 2), 10)).isEqualTo(RecentWindow.Verdict.UNKNOWN);
    assertThat(w.channels()).isZero();

    w.backendState(BackendState.CONNECTED);
    assertThat(w.read("/a", null, 2)).isNull();
    w.add(redisMessage("/a", 3), 10);
    assertThat(w.read("/a", null, 3)).isNotNull();
  }

  @Test
  void unknownState_atStart_meansNotListening() {
    RecentWindow w =
        new RecentWindow(MessageIdScheme.PER_CHANNEL, 4, 1_000, 10, 10_000, DAY, now::get);
    w.add(redisMessage("/a", 1), 10);
    assertThat(w.read("/a", null, 1)).isNull();
    w.backendState(BackendState.UNKNOWN);
    w.add(redisMessage("/a", 2), 10);
    assertThat(w.read("/a", null, 2)).isNull();
  }

  @Test
  void repeatedConnectedReports_keepTheEntries() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 1), 10);
    w.backendState(BackendState.CONNECTED);
    assertThat(w.read("/a", null, 1)).isNotNull();
  }

  @Test
  void anEntryIdleLongerThanTheBacklogAge_isDropped() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 1), 10);
    now.addAndGet(DAY + 1);

    assertThat(w.read("/a", null, 1)).isNull();
    assertThat(w.channels()).isZero();
  }

  @Test
  void anEntryIdleTooLong_isStartedAgainByItsNextMessage_withoutClaimingToKnowTheIds() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 9), 10);
    now.addAndGet(DAY + 1);

    assertThat(w.add(redisMessage("/a", 1), 10)).isEqualTo(RecentWindow.Verdict.UNKNOWN);
    assertThat(w.read("/a", null, 0)).isNotNull();
  }

  @Test
  void caughtUp_returnsWhatWasDeliveredAfterThePosition_noneWhenAhead() {
    RecentWindow w = redis();
    long token = w.token();
    w.add(redisMessage("/a", 1), 10);
    w.add(redisMessage("/a", 2), 10);

    assertThat(ids(w.caughtUp("/a", null, 1, token))).containsExactly(2L);
    assertThat(w.caughtUp("/a", null, 2, token)).isEmpty();
    assertThat(w.caughtUp("/a", null, 5, token))
        .as("not delivered yet: it will be pushed")
        .isEmpty();
  }

  @Test
  void caughtUp_coldChannel_isEmptyWhileNothingWasRemoved_elseUnknown() {
    RecentWindow w = window(MessageIdScheme.PER_CHANNEL, 4, 1, 1_000_000);
    long token = w.token();

    assertThat(w.caughtUp("/a", null, 3, token)).as("nothing delivered on /a since").isEmpty();

    w.add(redisMessage("/b", 1), 10);
    w.add(redisMessage("/c", 1), 10); // evicts /b: an /a entry could have come and gone too
    assertThat(w.caughtUp("/a", null, 3, token)).isNull();
  }

  @Test
  void clear_dropsEverything() {
    RecentWindow w = redis();
    w.add(redisMessage("/a", 1), 10);
    w.clear();
    assertThat(w.channels()).isZero();
    assertThat(w.bytes()).isZero();
    assertThat(w.read("/a", null, 1)).isNull();
  }
}
