// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring.test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.messagebus.spring.test.MessageBusAssertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.memory.MemoryBackend;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * An application configured for Redis (on a port where nothing listens) tested with {@link
 * AutoConfigureInMemoryMessageBus}: the bus runs in memory and the assertions see what was
 * published.
 */
@SpringBootTest(classes = InMemoryMessageBusTest.App.class)
@AutoConfigureInMemoryMessageBus
@Timeout(60)
class InMemoryMessageBusTest {

  record Order(String id, Instant placedAt) {}

  @Autowired MessageBus bus;

  @Test
  void theBus_runsOnTheMemoryBackend_despiteTheApplicationsRedisSetting() {
    org.assertj.core.api.Assertions.assertThat(bus.backend()).isInstanceOf(MemoryBackend.class);
  }

  @Test
  void receivedMessage_comparesAsStored_recordsAndJavaTime() {
    Order order = new Order("42", Instant.parse("2026-12-01T10:15:30Z"));
    bus.publish("/orders", order);
    assertThat(bus).channel("/orders").receivedMessage(order);
    assertThat(bus)
        .channel("/orders")
        .receivedMessage(Map.of("id", "42", "placedAt", "2026-12-01T10:15:30Z"));
  }

  @Test
  void receivedMessage_fails_listingWhatTheChannelReceived() {
    bus.publish("/fail", "one");
    assertThatThrownBy(() -> assertThat(bus).channel("/fail").receivedMessage("two"))
        .isInstanceOf(AssertionError.class)
        .hasMessage(
            "Expecting channel /fail to have received a message with data\n  two\n"
                + "but it received\n  [one]");
  }

  @Test
  void countsTargetingAndNothing() {
    bus.publish("/count", "a");
    bus.publish("/count", "b", PublishOptions.builder().userIds(7L).build());
    assertThat(bus).channel("/count").receivedMessages(2);
    assertThat(bus)
        .channel("/count")
        .receivedMessageMatching(m -> List.of(7L).equals(m.userIds()), "targets user 7");
    assertThat(bus).channel("/nothing").hasNoMessages();
    assertThatThrownBy(() -> assertThat(bus).channel("/count").hasNoMessages())
        .hasMessageContaining("Expecting channel /count to have received no message");
  }

  @Test
  void within_waitsForAMessagePublishedOnAnotherThread() throws Exception {
    CountDownLatch asserting = new CountDownLatch(1);
    CompletableFuture<Void> publisher =
        CompletableFuture.runAsync(
            () -> {
              try {
                asserting.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              bus.publish("/later", "late");
            });
    asserting.countDown();
    assertThat(bus).channel("/later").within(Duration.ofSeconds(20)).receivedMessage("late");
    publisher.get(10, TimeUnit.SECONDS);
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}
}
