// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendStateListener;

/**
 * Storage and fan-out for a {@link org.messagebus.MessageBus}: the contract of SPEC §3.1 that the
 * memory, Redis and PostgreSQL backends implement.
 *
 * <p>Every method takes and returns <em>encoded</em> channels (with the site suffix, see {@link
 * ChannelNames}) and undecoded payloads. Implementations are thread-safe. Store failures surface as
 * {@link org.messagebus.BackendException}.
 *
 * <p>A backend is owned by one bus, which closes it when the bus is closed. After {@link #close()}
 * every method except {@code close()}, {@link #reconnect()}, {@link #retention()} and {@link
 * #stateListener} throws {@link org.messagebus.BusClosedException}; nothing re-opens a closed
 * backend but {@link #reconnect()}.
 *
 * <p>A backend that can lose its store reports its {@linkplain org.messagebus.BackendState
 * connection state} through {@link #stateListener} (see {@link BackendStateTracker}); the bus uses
 * it to avoid the store while it is away and to catch up as soon as it is back.
 */
public interface Backend extends AutoCloseable {

  /**
   * Stores a message, trims the backlogs as the retention says, and announces the message to every
   * subscription of every process sharing the store.
   *
   * @param channel the encoded channel
   * @param payload the encoded envelope
   * @param options per-publish overrides, never null ({@link BackendPublishOptions#NONE})
   * @return the message id of the new message, or {@link #QUEUED} when the store refused writes for
   *     now and the message was queued to be written later
   */
  long publish(String channel, String payload, BackendPublishOptions options);

  /** What {@link #publish} returns when the message was queued rather than stored. */
  long QUEUED = 0L;

  /**
   * Returns how many publishes wait in this process's memory for the store to accept writes (see
   * {@link #QUEUED}), for a gauge. This default, for backends that never queue, returns 0.
   *
   * @return the queue length
   */
  default int queuedPublishes() {
    return 0;
  }

  /**
   * Returns the id of the newest message of a channel.
   *
   * @param channel the encoded channel
   * @return the id, or 0 when the channel has no message
   */
  long lastId(String channel);

  /**
   * Returns the ids of the newest messages of several channels, in one round trip where the store
   * allows it.
   *
   * @param channels encoded channels
   * @return the ids in input order, 0 for a channel without messages
   */
  default long[] lastIds(List<String> channels) {
    long[] ids = new long[channels.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = lastId(channels.get(i));
    }
    return ids;
  }

  /**
   * Returns the newest global id handed out by the store.
   *
   * @return the id, or 0 for an empty or reset store
   */
  long lastGlobalId();

  /**
   * Returns the retained messages of a channel after a message id, ascending.
   *
   * @param channel the encoded channel
   * @param lastId the id to read after (0 for everything retained)
   * @return the messages, possibly empty
   */
  List<BackendMessage> backlog(String channel, long lastId);

  /**
   * Returns the retained messages of every channel after a global id, ascending by global id.
   *
   * @param lastGlobalId the id to read after (0 for everything retained)
   * @return the messages, possibly empty
   */
  List<BackendMessage> globalBacklog(long lastGlobalId);

  /**
   * Returns one message.
   *
   * @param channel the encoded channel
   * @param messageId its message id
   * @return the message, or null when it is not retained
   */
  @Nullable BackendMessage getMessage(String channel, long messageId);

  /**
   * Subscribes to every message published to the store (the firehose), delivered on a thread of the
   * backend. Returns once the subscription is registered; it may wait a bounded time for the first
   * connection (the bus calls it on a background thread, never under a lock), and with {@code
   * lastGlobalId >= 0} it should not fail for an unreachable store but connect and catch up on its
   * own once the store answers.
   *
   * <p>With {@code lastGlobalId >= 0} the global backlog after that id is delivered first, then
   * live messages, with no gap and no duplicate. A {@code lastGlobalId} beyond the store's newest
   * id (the store was reset) replays from 0. With a negative {@code lastGlobalId} only messages
   * published after registration are delivered. A backend that loses its connection reconnects on
   * its own and delivers what was published meanwhile.
   *
   * @param lastGlobalId the global id to replay after, or negative for live messages only
   * @param listener receives the messages
   * @return the running subscription
   */
  BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener);

  /**
   * Subscribes to one channel: a filtered {@link #globalSubscribe}. With {@code lastMessageId >= 0}
   * the channel's messages after that message id are delivered first.
   *
   * @param channel the encoded channel
   * @param lastMessageId the message id to replay after, or negative for live messages only
   * @param listener receives the messages
   * @return the running subscription
   */
  default BackendSubscription subscribe(
      String channel, long lastMessageId, BackendListener listener) {
    long fromGlobal = -1;
    if (lastMessageId >= 0) {
      BackendMessage known = lastMessageId == 0 ? null : getMessage(channel, lastMessageId);
      // A message that is gone maps to its number: at worst a few messages replay, and the
      // channel filter keeps other channels out.
      fromGlobal = known != null ? known.globalId() : lastMessageId;
    }
    // Until the first delivery, skip what a replay from a mapped-by-number position may repeat;
    // afterwards deliver everything, so ids that restart after a reset still arrive.
    long[] after = {lastMessageId};
    return globalSubscribe(
        fromGlobal,
        m -> {
          if (m.channel().equals(channel) && m.messageId() > after[0]) {
            after[0] = Long.MIN_VALUE;
            listener.onMessage(m);
          }
        });
  }

  /**
   * Deletes every message and id counter of the store: ids start again at 1. Running subscriptions
   * survive and keep delivering.
   */
  void reset();

  /**
   * Deletes the backlogs; running subscriptions keep delivering new messages. What else goes
   * differs per backend (Ruby quirk, SPEC §3.2.5).
   */
  void expireAllBacklogs();

  /**
   * Returns the retention this backend applies.
   *
   * @return the retention
   */
  Retention retention();

  /**
   * Tells how this backend numbers the messages of a channel. The default, {@link
   * MessageIdScheme#UNKNOWN}, makes readers that could answer from what the firehose delivered ask
   * the store instead.
   *
   * @return the scheme
   */
  default MessageIdScheme messageIdScheme() {
    return MessageIdScheme.UNKNOWN;
  }

  /**
   * Tells the backend whom to tell about changes of its {@linkplain org.messagebus.BackendState
   * connection state}. Called once by the owning bus, before it uses the backend otherwise.
   *
   * <p>A backend that tracks its connections (see {@link BackendStateTracker}) calls the listener
   * at once with its current state, then on every change, in order and one call at a time. This
   * default ignores the listener: the bus then takes the backend as always {@link
   * org.messagebus.BackendState#CONNECTED}, and still retries what an outage interrupted.
   *
   * @param listener the bus's listener
   */
  default void stateListener(BackendStateListener listener) {}

  /**
   * Tells the backend whom to tell about its own events for metrics (catch-ups, dropped queued
   * publishes, large payloads read from the store; see {@link org.messagebus.observe.BusObserver}).
   * Called once by the owning bus, before it uses the backend otherwise; the observer forwards to
   * whatever observers the bus has at the time of each call, so the backend keeps it. This default
   * ignores it.
   *
   * @param observer the bus's observer; calls cost nothing while the bus has no observers
   */
  default void observer(org.messagebus.observe.BusObserver observer) {}

  /**
   * Drops and re-creates connections, restarts background work stopped by {@link #close()} (Ruby:
   * {@code after_fork}). Existing data is kept.
   */
  void reconnect();

  /**
   * Closes every subscription and connection this backend opened. Resources the application handed
   * in (a client, a data source) are left open. Idempotent.
   */
  @Override
  void close();
}
