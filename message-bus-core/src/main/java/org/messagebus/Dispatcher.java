// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;

/**
 * Routes every message of the backend's firehose to the matching server-side subscriptions (SPEC
 * §2.4).
 *
 * <p><b>Threads.</b> {@link #onMessage} runs on the backend's subscription thread, one message at a
 * time; it decodes each message once and calls the listeners of (1) its channel for every site, (2)
 * its channel for its site, (3) every channel for every site, (4) every channel for its site, in
 * that order. Registration and removal happen on any thread: the registry is a concurrent map of
 * copy-on-write lists, so the dispatch thread never blocks on them. A failing listener is isolated
 * by {@link ListenerSubscription}; a message that cannot be decoded is logged and skipped. Each
 * message is stamped with the bus clock's time for the {@link Keepalive}.
 *
 * <p><b>Marks.</b> Each message gets a local <em>dispatch sequence</em> number (1, 2, 3, ... in the
 * order this process received them, never reset) before the registry is read, and the highest
 * global id received so far ({@link #highestGlobalId}, only ever growing). A subscription
 * registered before it reads {@link #sequence()} therefore receives every message numbered above
 * what it read, and may be offered a few at or below it (those being dispatched at that moment),
 * which it drops: that is how "from now on" is exact without the store. The high-water mark of
 * global ids tells a subscription that replayed the store up to a horizon whether a live message
 * may be one it replayed.
 */
final class Dispatcher implements BackendListener {

  /**
   * A registry key.
   *
   * @param site the site, or null for every site
   * @param channel the plain channel, or null for every channel
   */
  record Key(@Nullable String site, @Nullable String channel) {}

  /** Which messages form the sequence a subscription replays, and their position in it. */
  interface Stream {
    boolean contains(Message m);

    long position(Message m);
  }

  private final SiteChannels channels;
  private final Clock clock;
  private final BusErrors errors;
  private final BusObservers observers;
  private final AtomicInteger subscriptionCount = new AtomicInteger();
  private final ConcurrentHashMap<Key, CopyOnWriteArrayList<ListenerSubscription>> registry =
      new ConcurrentHashMap<>();
  private volatile long lastReceivedMillis;
  private volatile long lastGlobalId = -1;
  // The highest global id the firehose has delivered or started after; only ever grows, so it
  // tells a subscription whether the firehose has caught up with the backlog it replayed.
  private final AtomicLong highestGlobalId = new AtomicLong(-1);
  private final AtomicLong sequence = new AtomicLong();

  Dispatcher(SiteChannels channels, Clock clock, BusErrors errors, BusObservers observers) {
    this.channels = channels;
    this.clock = clock;
    this.errors = errors;
    this.observers = observers;
  }

  @Override
  public void onMessage(BackendMessage raw) {
    // Stamp before numbering: the keepalive reads them in the other order (see Keepalive).
    lastReceivedMillis = clock.millis();
    long seq = sequence.incrementAndGet();
    lastGlobalId = raw.globalId();
    long before = highestGlobalId.getAndAccumulate(raw.globalId(), Math::max);
    observers.dispatched(raw.channel(), raw.messageId());
    Message m = channels.decodeOrSkip(raw);
    if (m == null) {
      return;
    }
    String site = m.siteId();
    deliver(new Key(null, m.channel()), m, before, seq);
    if (site != null) {
      deliver(new Key(site, m.channel()), m, before, seq);
    }
    deliver(new Key(null, null), m, before, seq);
    if (site != null) {
      deliver(new Key(site, null), m, before, seq);
    }
  }

  private void deliver(Key key, Message m, long highestBefore, long seq) {
    List<ListenerSubscription> subs = registry.get(key);
    if (subs != null) {
      for (ListenerSubscription s : subs) {
        s.offer(m, highestBefore, seq);
      }
    }
  }

  /**
   * The dispatch sequence number of the last message received (0 before the first); read it after
   * registering a subscription to mark "now" in this process's stream.
   */
  long sequence() {
    return sequence.get();
  }

  ListenerSubscription register(Key key, MessageListener listener) {
    ListenerSubscription sub = new ListenerSubscription(this, key, listener);
    registry.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(sub);
    subscriptionCount.incrementAndGet();
    return sub;
  }

  void remove(ListenerSubscription sub) {
    registry.computeIfPresent(
        sub.key,
        (k, list) -> {
          if (list.remove(sub)) {
            subscriptionCount.decrementAndGet();
          }
          return list.isEmpty() ? null : list;
        });
  }

  /** Unsubscribes every subscription registered under this key. */
  void removeAll(Key key) {
    CopyOnWriteArrayList<ListenerSubscription> subs = registry.get(key);
    if (subs != null) {
      subs.forEach(ListenerSubscription::unsubscribe);
    }
  }

  boolean hasSubscriptions() {
    return !registry.isEmpty();
  }

  /** The number of registered subscriptions. */
  int subscriptionCount() {
    return subscriptionCount.get();
  }

  void listenerFailed(ListenerSubscription sub, Message m, Throwable error) {
    observers.listenerFailed();
    errors.listenerFailed(sub, m, error);
  }

  /** The bus clock's millis when the last message was received (or listening started), or 0. */
  long lastReceivedMillis() {
    return lastReceivedMillis;
  }

  /** Stamps "received" now, so that the keepalive counts silence from when listening starts. */
  void markReceivedNow() {
    lastReceivedMillis = clock.millis();
  }

  /** Records that the firehose (re)starts after this global id. */
  void firehoseStartsAfter(long globalId) {
    highestGlobalId.accumulateAndGet(globalId, Math::max);
  }

  /** The global id of the last message received, or -1 before the first. */
  long lastGlobalId() {
    return lastGlobalId;
  }

  static Stream channelStream(String channel, @Nullable String site) {

    return new Stream() {
      @Override
      public boolean contains(Message m) {
        return m.channel().equals(channel) && Objects.equals(m.siteId(), site);
      }

      @Override
      public long position(Message m) {
        return m.messageId();
      }
    };
  }

  static final Stream GLOBAL_STREAM =
      new Stream() {
        @Override
        public boolean contains(Message m) {
          return true;
        }

        @Override
        public long position(Message m) {
          return m.globalId();
        }
      };
}
