// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.BusClosedException;
import org.messagebus.ManualScheduler;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.Retention;

/**
 * The memory backend's own behaviour: retention, expiry on its clock (a manual one: no waiting),
 * reset, close and reconnect, and the SPI's default channel subscription on top of it. The shared
 * backend contract runs against it in {@code message-bus-testkit}.
 */
class MemoryBackendTest {

  private final ManualScheduler time = new ManualScheduler();
  private MemoryBackend backend;

  private MemoryBackend backend(Retention retention) {
    backend =
        MemoryBackend.builder()
            .retention(retention)
            .clock(time.clock())
            .expiryInterval(Duration.ofHours(1)) // expiry is driven by expireNow() here
            .build();
    return backend;
  }

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  private static long publish(MemoryBackend b, String channel, String payload) {
    return b.publish(channel, payload, BackendPublishOptions.NONE);
  }

  private static List<String> payloads(List<BackendMessage> messages) {
    return messages.stream().map(BackendMessage::payload).toList();
  }

  @Test
  void globalBacklog_keepsTheNewestMaxGlobalBacklogSize_andTrimsChannelsWithIt() {
    MemoryBackend b = backend(Retention.builder().maxGlobalBacklogSize(3).build());
    publish(b, "/a", "a1");
    publish(b, "/b", "b1");
    publish(b, "/a", "a2");
    publish(b, "/a", "a3");
    publish(b, "/a", "a4");

    assertThat(payloads(b.globalBacklog(0))).containsExactly("a2", "a3", "a4");
    assertThat(payloads(b.backlog("/a", 0))).containsExactly("a2", "a3", "a4");
    assertThat(b.backlog("/b", 0)).as("its only message left the global backlog").isEmpty();
    assertThat(b.getMessage("/a", 1)).as("trimmed").isNull();
    // the memory backend numbers messages store-wide: a2 is message 3
    assertThat(b.getMessage("/a", 3)).extracting(BackendMessage::payload).isEqualTo("a2");
    assertThat(b.retention().maxGlobalBacklogSize()).isEqualTo(3);
  }

  @Test
  void getMessage_ofAnotherChannel_isNull() {
    MemoryBackend b = backend(Retention.DEFAULTS);
    publish(b, "/a", "a1");

    assertThat(b.getMessage("/b", 1)).isNull();
    assertThat(b.getMessage("/a", 1)).extracting(BackendMessage::payload).isEqualTo("a1");
  }

  @Test
  void expireNow_deletesChannelsSilentLongerThanTheirAge_byTheBackendsClock() {
    MemoryBackend b = backend(Retention.builder().maxBacklogAge(Duration.ofMinutes(10)).build());
    publish(b, "/old", "o1");
    publish(b, "/short", "s1");
    b.publish(
        "/short", "s2", new BackendPublishOptions(Duration.ofMinutes(1), null, null)); // own age
    time.advance(Duration.ofMinutes(5));
    publish(b, "/fresh", "f1");

    b.expireNow();
    assertThat(b.backlog("/short", 0)).as("older than its own 1 min").isEmpty();
    assertThat(payloads(b.backlog("/old", 0))).containsExactly("o1");

    time.advance(Duration.ofMinutes(6)); // /old is 11 min old, /fresh 6 min
    b.expireNow();

    assertThat(b.backlog("/old", 0)).isEmpty();
    assertThat(payloads(b.backlog("/fresh", 0))).containsExactly("f1");
    assertThat(payloads(b.globalBacklog(0))).containsExactly("f1");
  }

  @Test
  void reset_startsIdsOver_whileExpireAllBacklogs_keepsCounting() {
    MemoryBackend b = backend(Retention.DEFAULTS);
    publish(b, "/a", "a1");
    publish(b, "/a", "a2");

    b.expireAllBacklogs();
    assertThat(b.backlog("/a", 0)).isEmpty();
    assertThat(b.globalBacklog(0)).isEmpty();
    assertThat(publish(b, "/a", "a3")).as("ids go on after expiring backlogs").isEqualTo(3);

    b.reset();
    assertThat(b.lastGlobalId()).isZero();
    assertThat(publish(b, "/a", "again")).as("ids start over after a reset").isEqualTo(1);
  }

  @Test
  void closed_rejectsUse_untilReconnected() {
    MemoryBackend b = backend(Retention.DEFAULTS);
    b.close();

    assertThatThrownBy(() -> publish(b, "/a", "x")).isInstanceOf(BusClosedException.class);
    assertThatThrownBy(b::reset).isInstanceOf(BusClosedException.class);

    b.reconnect();
    assertThat(publish(b, "/a", "x")).isEqualTo(1);
  }

  @Test
  void channelSubscription_replaysAfterAnId_thenDeliversOnlyItsChannel() throws Exception {
    MemoryBackend b = backend(Retention.DEFAULTS);
    publish(b, "/a", "a1");
    publish(b, "/b", "b1");
    publish(b, "/a", "a2");
    BlockingQueue<BackendMessage> got = new LinkedBlockingQueue<>();

    try (BackendSubscription s = b.subscribe("/a", 1, got::add)) {
      assertThat(got.poll(10, TimeUnit.SECONDS))
          .extracting(BackendMessage::payload)
          .isEqualTo("a2");
      publish(b, "/b", "b2");
      publish(b, "/a", "a3");
      assertThat(got.poll(10, TimeUnit.SECONDS))
          .as("/b's messages are filtered out")
          .extracting(BackendMessage::payload)
          .isEqualTo("a3");
      assertThat(s.isClosed()).isFalse();
    }
    assertThat(got).isEmpty();
  }

  @Test
  void lastIds_answersInInputOrder_withZeroForAnEmptyChannel() {
    MemoryBackend b = backend(Retention.DEFAULTS);
    publish(b, "/a", "a1");
    publish(b, "/b", "b1");
    publish(b, "/b", "b2");

    assertThat(b.lastIds(List.of("/b", "/none", "/a"))).containsExactly(3, 0, 1);
  }

  @Test
  void builder_rejectsANonPositiveExpiryInterval() {
    assertThatThrownBy(() -> MemoryBackend.builder().expiryInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expiryInterval");
  }
}
