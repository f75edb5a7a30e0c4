// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring.test;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.assertj.core.api.AbstractAssert;
import org.jspecify.annotations.Nullable;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.spi.OptionChecks;

/**
 * Assertions on what a channel received: the messages in its backlog (every message the test
 * published, with the memory backend of {@link AutoConfigureInMemoryMessageBus}, up to the
 * retention's {@code max-backlog-size}). Expected data is encoded and decoded by the bus's own
 * codec before it is compared, so a record or a map compares as the stored JSON does ({@code
 * Instant} as its ISO-8601 string, numbers as {@code Long}).
 *
 * <p>By default the backlog is checked once, now. {@link #within(Duration)} keeps checking until
 * the assertion holds or the time is up, for messages published on another thread.
 */
public final class ChannelAssert extends AbstractAssert<ChannelAssert, String> {

  private final MessageBus bus;
  private Duration within = Duration.ZERO;

  ChannelAssert(MessageBus bus, String channel) {
    super(channel, ChannelAssert.class);
    this.bus = bus;
  }

  /**
   * Lets the following assertions wait up to {@code timeout} for the channel to satisfy them.
   *
   * @param timeout how long to keep checking, positive
   * @return this
   */
  public ChannelAssert within(Duration timeout) {
    this.within = OptionChecks.positive("timeout", timeout);
    return this;
  }

  /**
   * Verifies that the channel received a message whose data equals {@code expectedData} once stored
   * (encoded and decoded by the bus's codec).
   *
   * @param expectedData the data, e.g. a map, a record or a string
   * @return this
   */
  public ChannelAssert receivedMessage(@Nullable Object expectedData) {
    @Nullable Object expected = stored(expectedData);
    return await(
        messages -> messages.stream().anyMatch(m -> Objects.equals(m.data(), expected)),
        messages ->
            "Expecting channel "
                + actual
                + " to have received a message with data\n  "
                + expected
                + "\nbut it received\n  "
                + datas(messages));
  }

  /**
   * Verifies that the channel received a message matching {@code condition}, e.g. on its user ids.
   *
   * @param condition the condition
   * @param description what the condition means, for the failure message
   * @return this
   */
  public ChannelAssert receivedMessageMatching(Predicate<Message> condition, String description) {
    return await(
        messages -> messages.stream().anyMatch(condition),
        messages ->
            "Expecting channel "
                + actual
                + " to have received a message that "
                + description
                + "\nbut it received\n  "
                + messages);
  }

  /**
   * Verifies how many messages the channel received.
   *
   * @param count the exact count
   * @return this
   */
  public ChannelAssert receivedMessages(int count) {
    return await(
        messages -> messages.size() == count,
        messages ->
            "Expecting channel "
                + actual
                + " to have received "
                + count
                + " messages but it received "
                + messages.size()
                + ":\n  "
                + datas(messages));
  }

  /**
   * Verifies that the channel received nothing (checked now, whatever {@link #within} says).
   *
   * @return this
   */
  public ChannelAssert hasNoMessages() {
    List<Message> messages = bus.backlog(actual, 0);
    if (!messages.isEmpty()) {
      failWithMessage(
          "Expecting channel %s to have received no message but it received%n  %s",
          actual, datas(messages));
    }
    return this;
  }

  private @Nullable Object stored(@Nullable Object data) {
    String payload = bus.prepare(actual, data, PublishOptions.builder().build()).payload();
    return bus.codec().decode(payload).data();
  }

  private ChannelAssert await(
      Predicate<List<Message>> holds, java.util.function.Function<List<Message>, String> why) {
    isNotNull();
    long deadline = System.nanoTime() + within.toNanos();
    List<Message> messages = bus.backlog(actual, 0);
    while (!holds.test(messages) && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      messages = bus.backlog(actual, 0);
    }
    if (!holds.test(messages)) {
      failWithMessage("%s", why.apply(messages));
    }
    return this;
  }

  private static List<@Nullable Object> datas(List<Message> messages) {
    return messages.stream().map(Message::data).toList();
  }
}
