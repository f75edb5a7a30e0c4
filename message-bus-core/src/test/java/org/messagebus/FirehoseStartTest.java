// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Retention;

/**
 * The firehose is up when the first {@code subscribe} returns: messages published right after it
 * reach the subscription even if the bus's background thread has not run yet and the store trims
 * them meanwhile. The background thread is a {@link ManualScheduler} that the test never runs
 * before publishing, which is the interleaving of a loaded machine (CI once saw the first 130 of
 * 100,000 messages lost: the firehose started after 1,130 publishes and replayed the newest 1,000
 * retained).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirehoseStartTest {

  private static final int KEPT = 5;
  private static final int PUBLISHED = 3 * KEPT;

  private final ManualScheduler time = new ManualScheduler();
  private final MessageBus bus =
      MessageBus.builder()
          .backend(
              MemoryBackend.builder()
                  .retention(new Retention(KEPT, 2 * KEPT, Duration.ofDays(1), 1))
                  .build())
          .scheduler(time)
          .keepaliveInterval(Duration.ZERO)
          .build();

  @AfterEach
  void tearDown() {
    bus.close();
  }

  @Test
  void messagesPublishedRightAfterSubscribing_areAllDelivered_beforeTheBackgroundThreadRuns()
      throws Exception {
    BlockingQueue<Object> live = new LinkedBlockingQueue<>();
    BlockingQueue<Object> fromZero = new LinkedBlockingQueue<>();
    bus.subscribe("/a", m -> live.add(m.data()));
    bus.subscribe("/a", 0, m -> fromZero.add(m.data()));
    boolean listening = bus.isListening();

    List<Long> expected = new ArrayList<>();
    for (int i = 1; i <= PUBLISHED; i++) {
      bus.publish("/a", i);
      expected.add((long) i);
    }
    assertThat(bus.backlog("/a", 0)).as("the store trimmed the first ones").hasSize(KEPT);
    time.runDue(); // only now the background thread gets its turn

    assertThat(take(live, PUBLISHED)).isEqualTo(expected);
    assertThat(take(fromZero, PUBLISHED)).isEqualTo(expected);
    bus.publish("/a", "last");
    assertThat(live.poll(10, TimeUnit.SECONDS)).as("no duplicate before it").isEqualTo("last");
    assertThat(fromZero.poll(10, TimeUnit.SECONDS)).isEqualTo("last");
    assertThat(listening).as("listening when subscribe returned").isTrue();
  }

  private static List<Object> take(BlockingQueue<Object> queue, int n) throws InterruptedException {
    List<Object> got = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object o = queue.poll(10, TimeUnit.SECONDS);
      if (o == null) {
        break;
      }
      got.add(o);
    }
    return got;
  }
}
