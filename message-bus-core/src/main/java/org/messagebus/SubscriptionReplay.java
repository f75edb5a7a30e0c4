// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.ChannelNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers subscriptions and brings each one live: the replay of the store from its position (SPEC
 * §2.3), then the live messages the dispatcher buffered meanwhile, handed over by {@link
 * ListenerSubscription} with no gap and no duplicate. This is where the "Outages" contract of
 * {@link MessageBus} is kept.
 *
 * <p><b>Threads.</b> {@link #register} runs on the subscribing thread: it registers first, then
 * reads the store without holding any lock, unless the backend reports {@link
 * BackendState#DISCONNECTED}; catching up starts the firehose first if it is not running (see
 * {@link Firehose}), so it is up when {@code subscribe} returns. If the store cannot be read, a
 * subscription from now on goes live at the dispatcher's mark (the dispatch sequence read right
 * after registering), and one from a position is parked in {@code pending}; {@link
 * #catchUpPending()} retries those on the bus's background thread, in no particular order between
 * subscriptions (each one's own messages stay in order), until the store answers.
 */
final class SubscriptionReplay {

  private static final Logger LOG = LoggerFactory.getLogger(SubscriptionReplay.class);

  /** What one background round of catching up achieved. */
  enum Outcome {
    /** Every parked subscription is live (or there was none). */
    DONE,
    /** The store is still away for some: try again later. */
    RETRY,
    /** The bus or the backend is closed: wait until {@code on()}/{@code reconnect()} ask again. */
    STOP
  }

  /**
   * What a subscription replays: one encoded channel (null for every channel), the sequence its
   * positions count in, and the site its messages must have (null for any).
   */
  private record Plan(@Nullable String encoded, Dispatcher.Stream stream, @Nullable String site) {}

  /** A subscription from a position that waits for the store. */
  private record Pending(ListenerSubscription sub, Plan plan, long lastId) {}

  private final BusContext bus;
  private final Backend backend;
  private final Dispatcher dispatcher;
  private final SiteChannels channels;
  private final Firehose firehose;
  private final BackendStateWatch state;
  private final Set<Pending> pending = ConcurrentHashMap.newKeySet();

  /**
   * @param bus the bus's parts
   * @param firehose started with the first subscription
   * @param state tells whether the store is known to be away
   */
  SubscriptionReplay(BusContext bus, Firehose firehose, BackendStateWatch state) {
    this.bus = bus;
    this.backend = bus.backend();
    this.dispatcher = bus.dispatcher();
    this.channels = bus.channels();
    this.firehose = firehose;
    this.state = state;
  }

  /** Whether subscriptions wait for the store. */
  boolean hasPending() {
    return !pending.isEmpty();
  }

  /**
   * Registers a subscription and brings it live, or parks it until the store answers (see the class
   * comment). Never throws because the store is away.
   *
   * @param lastId the position to replay after; negative for "from now on"
   */
  Subscription register(Dispatcher.Key key, long lastId, MessageListener listener) {
    // Resolved here: the site lookup may depend on the calling thread (a request).
    Plan plan = plan(key);
    ListenerSubscription sub = dispatcher.register(key, listener);
    // "Now" in this process's stream, in case the store cannot tell us: read after registering.
    long now = dispatcher.sequence();
    firehose.startListening();
    if (state.state() != BackendState.DISCONNECTED) {
      try {
        catchUp(sub, plan, lastId);
        return sub;
      } catch (BackendException e) {
        LOG.debug(
            "subscribing to {} while the store cannot be read ({}); catching up later",
            key.channel() == null ? "every channel" : key.channel(),
            e.getMessage());
      } catch (RuntimeException e) {
        sub.unsubscribe();
        throw e;
      }
    }
    if (lastId < 0) {
      sub.goLiveAfter(now);
    } else {
      pending.add(new Pending(sub, plan, lastId));
      bus.background().request();
    }
    return sub;
  }

  /**
   * Catches up the parked subscriptions whose store can be read now. Runs on the bus's background
   * thread only.
   *
   * @return what was achieved
   */
  // pending is a concurrent set: removing while iterating is safe
  @SuppressWarnings("ModifyCollectionInEnhancedForLoop")
  Outcome catchUpPending() {

    for (Pending p : pending) {
      if (bus.isClosed()) {
        return Outcome.STOP;
      }
      if (!p.sub().isActive()) {
        pending.remove(p);
        continue;
      }
      try {
        catchUp(p.sub(), p.plan(), p.lastId());
        pending.remove(p);
      } catch (BackendException e) {
        LOG.debug("catch-up of {} still waits for the store: {}", p.sub(), e.getMessage());
        return Outcome.RETRY;
      } catch (BusClosedException e) {
        return Outcome.STOP;
      } catch (RuntimeException e) {
        LOG.warn("catch-up of {} failed, retrying in {}", p.sub(), bus.retryInterval(), e);
        bus.errors().background(e);
        return Outcome.RETRY;
      }
    }
    return Outcome.DONE;
  }

  private Plan plan(Dispatcher.Key key) {
    if (key.channel() == null) {
      return new Plan(null, Dispatcher.GLOBAL_STREAM, key.site());
    }
    String replaySite =
        ChannelNames.isGlobal(key.channel()) ? null : channels.siteOrCurrent(key.site());
    return new Plan(
        channels.encode(key.channel(), key.site()),
        Dispatcher.channelStream(key.channel(), replaySite),
        key.site());
  }

  /**
   * Reads a subscription's position and backlog from the store and hands them over; the
   * subscription is live afterwards. No lock is held.
   *
   * @throws BackendException if the store cannot be read; the subscription is then untouched
   */
  private void catchUp(ListenerSubscription sub, Plan plan, long lastId) {
    firehose.fixStart();
    // Up before the replay is read and before subscribe returns: started later by the background
    // thread only, the firehose would replay from its start what the store still holds by then,
    // and a burst of publishes meanwhile could have trimmed the oldest ones (retention).
    if (!firehose.startIfNeeded()) {
      bus.background().request();
    }
    long position;
    if (lastId >= 0) {
      position = lastId;
    } else {
      position = plan.encoded() == null ? backend.lastGlobalId() : backend.lastId(plan.encoded());
    }
    List<BackendMessage> raw =
        plan.encoded() == null
            ? backend.globalBacklog(position)
            : backend.backlog(plan.encoded(), position);
    // The firehose may still be behind what the backlog read returned (SPEC §2.3 ADOPT).
    long horizon = backend.lastGlobalId();
    List<Message> replay = new ArrayList<>(raw.size());
    for (Message m : channels.decodeAll(raw)) {
      if (plan.site() == null || plan.site().equals(m.siteId())) {
        replay.add(m);
      }
    }
    sub.catchUp(replay, plan.stream(), position, horizon);
  }
}
