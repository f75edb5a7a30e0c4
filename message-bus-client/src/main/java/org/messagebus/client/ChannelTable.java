// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The client's subscriptions: for each channel its listeners and its position (the last message id
 * received, or the negative position it was subscribed at, SPEC §4.2), in subscription order.
 *
 * <p><b>Generations.</b> Every change of the subscriptions starts a new generation. A poll is sent
 * with a snapshot of one generation, and what it brings back is applied only while that generation
 * is current: the batch of a poll cut short by a change is dropped whole (positions unmoved), and
 * the next poll, carrying the new subscriptions, fetches those messages again. So a message never
 * reaches a listener that was not subscribed when its poll was sent, and a re-subscription at an
 * older position is never overtaken by a late batch.
 *
 * <p>Thread-safe: one lock guards the table; no listener runs under it.
 */
final class ChannelTable {

  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private final Map<String, Channel> channels = new LinkedHashMap<>();
  private long generation;
  private final @Nullable ClientLossListener lossListener;

  /** A table without a loss listener. */
  ChannelTable() {
    this(null);
  }

  /**
   * A table that reports the server's loss signal.
   *
   * @param lossListener told about lost messages, or null
   */
  ChannelTable(@Nullable ClientLossListener lossListener) {
    this.lossListener = lossListener;
  }

  /** A consistent view for one poll. */
  record Snapshot(Map<String, Long> positions, long generation) {}

  /** One message for one listener. */
  record Delivery(ClientListener listener, ClientMessage message) {}

  /**
   * Adds a listener to a channel (creating it) and moves the channel to a position.
   *
   * @param channel the channel
   * @param position the new position
   * @param listener the listener
   */
  void subscribe(String channel, long position, ClientListener listener) {
    lock.lock();
    try {
      Channel c = channels.computeIfAbsent(channel, k -> new Channel());
      c.position = position;
      c.listeners.add(listener);
      generation++;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes a listener of a channel, or all of them; the channel goes with its last listener.
   *
   * @param channel the channel
   * @param listener the listener, or null for all
   * @return false if the channel was not subscribed (nothing changed)
   */
  boolean unsubscribe(String channel, @Nullable ClientListener listener) {

    lock.lock();
    try {
      Channel c = channels.get(channel);
      if (c == null) {
        return false;
      }
      if (listener != null) {
        c.listeners.remove(listener);
      }
      if (listener == null || c.listeners.isEmpty()) {
        channels.remove(channel);
      }
      generation++;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Starts a new generation without changing anything: what is in flight will be dropped. */
  void invalidate() {
    locked(() -> ++generation);
  }

  /**
   * Returns the current generation.
   *
   * @return it
   */
  long generation() {
    return locked(() -> generation);
  }

  /**
   * Tells whether no channel is subscribed.
   *
   * @return true when empty
   */
  boolean isEmpty() {
    return locked(channels::isEmpty);
  }

  /**
   * Returns the positions with their generation.
   *
   * @return the snapshot
   */
  Snapshot snapshot() {
    return locked(() -> new Snapshot(positionsLocked(), generation));
  }

  /**
   * Returns each channel's position.
   *
   * @return channel to position, in subscription order
   */
  Map<String, Long> positions() {
    return locked(this::positionsLocked);
  }

  private <T> T locked(Supplier<T> read) {
    lock.lock();
    try {
      return read.get();
    } finally {
      lock.unlock();
    }
  }

  private Map<String, Long> positionsLocked() {
    Map<String, Long> result = new LinkedHashMap<>();
    channels.forEach((k, v) -> result.put(k, v.position));
    return result;
  }

  /**
   * Applies a batch received by a poll of the given generation: a status message moves the
   * positions it names; any other message moves its channel's position and is delivered to the
   * channel's listeners unless it is at or before the position (already delivered) or its channel
   * is no longer subscribed.
   *
   * @param messages the batch
   * @param pollGeneration the generation of the poll that received it
   * @return what to deliver, in order; empty if the generation is no longer current
   */
  List<Delivery> apply(List<ClientMessage> messages, long pollGeneration) {
    List<Delivery> deliveries = new ArrayList<>();
    lock.lock();
    try {
      if (pollGeneration != generation) {
        return List.of();
      }
      for (ClientMessage m : messages) {
        if (ReplyDecoder.STATUS_CHANNEL.equals(m.channel())) {
          applyStatus(m.data());
          continue;
        }
        if (ReplyDecoder.LOSS_CHANNEL.equals(m.channel())) {
          applyLoss(m.data(), deliveries);
          continue;
        }
        Channel c = channels.get(m.channel());
        if (c == null || (c.position >= 0 && m.messageId() <= c.position)) {
          continue;
        }
        c.position = m.messageId();
        for (ClientListener l : c.listeners) {
          deliveries.add(new Delivery(l, m));
        }
      }
    } finally {
      lock.unlock();
    }
    return deliveries;
  }

  /**
   * The server's loss signal: each subscribed channel it names is reported to the loss listener,
   * ahead of the messages that follow; a channel whose ids restarted is read again from the start
   * of its new numbering (its position goes below the lower ids that follow).
   */
  private void applyLoss(@Nullable Object data, List<Delivery> deliveries) {
    if (!(data instanceof Map<?, ?> lost)) {
      return;
    }
    for (Map.Entry<?, ?> e : lost.entrySet()) {
      String channel = String.valueOf(e.getKey());
      Channel c = channels.get(channel);
      if (c == null
          || !(e.getValue() instanceof Map<?, ?> range)
          || !(range.get("from") instanceof Number from)
          || !(range.get("to") instanceof Number to)) {
        continue;
      }
      boolean reset = Boolean.TRUE.equals(range.get("reset"));
      if (reset && c.position >= 0) {
        c.position = from.longValue() - 1;
      }
      ClientLossListener listener = lossListener;
      if (listener != null) {
        ClientLoss loss = new ClientLoss(channel, from.longValue(), to.longValue(), reset);
        deliveries.add(
            new Delivery(
                m -> listener.onLoss(loss),
                new ClientMessage(ReplyDecoder.LOSS_CHANNEL, range, -1, -1)));
      }
    }
  }

  private void applyStatus(@Nullable Object data) {
    if (data instanceof Map<?, ?> status) {
      status.forEach(
          (k, v) -> {
            Channel c = channels.get(String.valueOf(k));
            if (c != null && v instanceof Number n) {
              c.position = n.longValue();
            }
          });
    }
  }

  private static final class Channel {
    long position = -1;
    final List<ClientListener> listeners = new ArrayList<>();
  }
}
