// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Closing ends every thread the bus and its backend started; a closed bus stays closed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BusLifecycleTest {

  /** The live threads of the bus and the memory backend, by name. */
  static Set<Thread> busThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("message-bus-"))
        .collect(Collectors.toSet());
  }

  @Test
  void close_endsEveryThread_andReadsAfterItNeitherWorkNorReopen() throws Exception {
    Set<Thread> before = busThreads();
    MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ofMillis(50)).build();
    LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    bus.subscribe("/a", m -> inbox.add(m.data()));
    bus.publish("/a", "x");
    assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo("x");
    await().atMost(Duration.ofSeconds(10)).until(bus::isListening);
    assertThat(busThreads()).hasSizeGreaterThan(before.size());

    bus.close();
    assertThatThrownBy(() -> bus.lastId("/a")).isInstanceOf(BusClosedException.class);
    assertThatThrownBy(() -> bus.backlog("/a", 0)).isInstanceOf(BusClosedException.class);
    bus.close();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(before).containsAll(busThreads()));
  }

  @Test
  void retryInterval_thatIsNotPositive_isRejected() {
    assertThatThrownBy(() -> MessageBus.builder().retryInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retryInterval");
  }
}
