// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.observe.BusObserver;
import org.messagebus.observe.ObserverRegistration;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.ChannelNames;
import org.messagebus.spi.OptionChecks;
import org.messagebus.spi.PreparedPublish;

/**
 * A message bus: publish to channels, keep per-channel backlogs in a {@link Backend}, and deliver
 * every message to server-side subscribers, in this process and every other process sharing the
 * backend (SPEC §2). Wire-compatible with Ruby {@code message_bus}.
 *
 * <pre>{@code
 * try (MessageBus bus = MessageBus.builder().build()) {          // memory backend
 *   bus.subscribe("/chat", m -> System.out.println(m.data()));   // live messages
 *   long id = bus.publish("/chat", Map.of("text", "hello"));
 *   List<Message> all = bus.backlog("/chat", 0);                 // everything retained
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> All methods are thread-safe. Publishing stores the message and returns; the
 * backend announces it and one dispatch thread (the backend's firehose subscription, started by the
 * first subscription) decodes it once and calls each matching listener in turn. A subscription from
 * a position replays the backlog on the subscribing thread, then switches to the dispatch thread
 * with no gap and no duplicate. Each listener call is isolated: a listener that throws is logged
 * and reported to the {@link ErrorListener}, and the others still receive the message. One
 * background thread of the bus (its {@linkplain Builder#scheduler scheduler}) runs the keepalive,
 * starts the firehose when a subscription could not and catches up subscriptions made during an
 * outage; no store call is ever made while holding a lock that another thread needs, but for the
 * firehose's start, which one thread makes at a time (a subscription may wait for a start under
 * way, itself bounded by the backend's timeout).
 *
 * <p><b>Outages.</b> Subscribing never fails and never waits for a lock because the store is away.
 * The subscribing thread registers the subscription, then reads the store (position, backlog)
 * unless the backend reports {@link BackendState#DISCONNECTED}; such a read can wait at most the
 * backend's own timeout and holds no lock. If the store cannot be read:
 *
 * <ul>
 *   <li>a subscription <em>from now on</em> goes live at once, from the dispatcher's mark: it
 *       receives every message this process receives after the call (each dispatched message has a
 *       local sequence number; the subscription reads it right after registering and drops what is
 *       numbered at or below it, such as a message being dispatched at that moment). After an
 *       outage the firehose first catches up what the store got meanwhile, in order, so messages
 *       other processes published during the outage are delivered too;
 *   <li>a subscription <em>from a position</em> buffers live messages and is caught up by the bus's
 *       background thread when the backend reports {@link BackendState#CONNECTED} (and every {@link
 *       Builder#retryInterval retryInterval} until it succeeds): the replay and the buffered
 *       messages go to the listener on that thread, then delivery continues on the dispatch thread;
 *       each message once, in order, exactly as if the store had answered at once.
 * </ul>
 *
 * The firehose is started by the first subscription once the store answers, before it reads its
 * replay, so it is listening when {@code subscribe} returns (otherwise, and after {@link
 * #reconnect()}, in the background), from a global id fixed before any subscription reads its
 * replay horizon, so nothing between the two is lost. On a bus that has never reached its store the
 * firehose starts at the store's newest message once it does: what other processes published before
 * (or what this one queued in memory, Redis) is then not delivered live, only from the backlogs.
 * {@link #backendState()} and {@link #addBackendStateListener} tell whether the store is reachable
 * right now.
 *
 * <p><b>Lifecycle.</b> {@link #off()} stops publishing and subscribing without releasing anything;
 * {@link #on()} undoes it. {@link #close()} stops the dispatch thread, the keepalive and the bus's
 * background thread, and closes the backend; it is idempotent, and afterwards every publish, read
 * and subscribe throws {@link BusClosedException} (nothing re-opens the backend behind the bus's
 * back). {@link #on()} followed by {@link #reconnect()} makes a closed bus usable again (Ruby:
 * {@code on; after_fork}).
 */
public final class MessageBus implements AutoCloseable {

  /**
   * What {@link #publish} returns when nothing was stored: the bus is {@linkplain #off() off}, or
   * the backend queued the message to write it later (read-only Redis). Real ids start at 1.
   */
  public static final long NO_ID = 0L;

  /** The channel the keepalive publishes to (SPEC §2.6). */
  public static final String KEEPALIVE_CHANNEL = "/__mb_keepalive__/";

  /** Default of {@link Builder#keepaliveInterval}: 60 seconds. */
  public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(60);

  /** Default of {@link Builder#publishTimingSampleInterval}: 1 millisecond. */
  public static final Duration DEFAULT_PUBLISH_TIMING_SAMPLE_INTERVAL = Duration.ofMillis(1);

  /** Default of {@link Builder#dispatchLagSampleInterval}: 1 millisecond. */
  public static final Duration DEFAULT_DISPATCH_LAG_SAMPLE_INTERVAL = Duration.ofMillis(1);

  /** Default of {@link Builder#retryInterval}: 1 second. */
  public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);

  /*
   * Implementation notes. This class is the facade: the public API, its Javadoc and the builder. The
   * work is done by package-private parts, one per concern, wired here:
   *
   *   SiteChannels          plain channel + site <-> stored channel (channel$|$site); decoding
   *   Dispatcher            routes every message of the firehose to the matching subscriptions
   *   ListenerSubscription  one subscription: replay, buffered live messages, switch to live
   *   SubscriptionReplay    registering, the replay from a position, the catch-up after an outage
   *   Firehose              the backend subscription feeding the dispatcher (start, stop, restart)
   *   Keepalive             the keepalive publish and the health check, on the clock and scheduler
   *   BackgroundWork        the background thread: its scheduler, the work run on it, retries
   *   BackendStateWatch     what the backend reports about its store, and its listeners
   *   ClientMessageFilters  the filters the HTTP transport asks
   *   BusErrors             the ErrorListener, each call isolated
   *
   * Lock order: lifecycle (this class's and Firehose's), then Keepalive's monitor, then
   * BackgroundWork's scheduler lock. None is held during a store call. This file is over 500 lines
   * because the public API is documented here, in full; no logic lives here beyond argument checks
   * and the lifecycle.
   */

  private final Backend backend;
  private final TransportCodec codec;
  private final Clock clock;
  private final SiteChannels siteChannels;
  private final ClientMessageFilters filters = new ClientMessageFilters();
  private final BackendStateWatch state;
  private final Dispatcher dispatcher;
  private final BackgroundWork background;
  private final Keepalive keepalive;
  private final Firehose firehose;
  private final SubscriptionReplay replay;
  private final BusObservers observers;

  // Held by close() and reconnect(), and by the firehose around its state; never during a store
  // call.
  private final ReentrantLock lifecycle = new ReentrantLock();
  private volatile boolean off;
  private volatile boolean publishDisabled;
  private volatile boolean closed;

  private MessageBus(Builder b) {
    this.backend = b.backend != null ? b.backend : MemoryBackend.create();
    this.codec = b.codec;
    this.clock = b.clock;
    BusErrors errors = new BusErrors(b.errorListener);
    this.siteChannels = new SiteChannels(codec, b.siteIdLookup, errors);
    // Past ~292 years, Duration.toNanos() overflows: such an interval saturates (saturatedNanos).
    this.observers =
        new BusObservers(
            saturatedNanos(b.dispatchLagSampleInterval),
            saturatedNanos(b.publishTimingSampleInterval));
    this.dispatcher = new Dispatcher(siteChannels, clock, errors, observers);
    this.background =
        new BackgroundWork(b.scheduler, b.retryInterval, this::isClosed, this::backgroundRound);
    BusContext parts =
        new BusContext(
            backend, dispatcher, siteChannels, background, this::isClosed, errors, b.retryInterval);
    this.keepalive = new Keepalive(parts, b.keepaliveInterval, clock, this::publishKeepalive);
    this.firehose = new Firehose(parts, keepalive, lifecycle);
    this.state = new BackendStateWatch(this::catchUpAfterOutage);
    this.replay = new SubscriptionReplay(parts, firehose, state);
    backend.observer(observers.forwarder());
    backend.stateListener(state::onBackendState);
  }

  /**
   * Starts a builder holding the defaults (memory backend, JSON codec, no site lookup, keepalive
   * every 60 s).
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- publishing

  /**
   * Publishes data to a channel for everyone: same as {@code publish(channel, data,
   * PublishOptions.NONE)}.
   *
   * @param channel the channel, e.g. {@code /chat}
   * @param data the data: anything the codec can encode (maps, lists, strings, numbers, records)
   * @return the message id, or {@link #NO_ID}
   */
  public long publish(String channel, @Nullable Object data) {
    return publish(channel, data, PublishOptions.NONE);
  }

  /**
   * Stores a message in the channel's backlog and announces it to every subscriber (SPEC §2.2).
   * Returns once the backend has stored it; delivery is asynchronous.
   *
   * @param channel the channel, e.g. {@code /chat}; {@code /global/...} channels are shared by all
   *     sites
   * @param data the data: anything the codec can encode
   * @param options targeting, site and retention overrides
   * @return the message id in the channel, or {@link #NO_ID} when the bus is off or the backend
   *     queued the message
   * @throws IllegalArgumentException if the channel is null, empty or contains {@code $|$}, or the
   *     data cannot be encoded
   * @throws InvalidMessageException if user or group targeting is asked on a global channel
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the backend failed
   */
  public long publish(String channel, @Nullable Object data, PublishOptions options) {
    SiteChannels.requireChannel(channel);
    Objects.requireNonNull(options, "options");
    if (publishDisabled) {
      observers.publishDisabled();
      return NO_ID;
    }
    requireOpen("publish");
    PreparedPublish p = prepare(channel, data, options);
    return observers.publish(backend, p, dispatcher);
  }

  /**
   * Validates and encodes a message exactly as {@link #publish} does (site suffix, envelope,
   * overrides) without storing it, for a backend that publishes on the caller's own connection or
   * transaction (for example the PostgreSQL backend's transactional publish).
   *
   * @param channel the channel
   * @param data the data
   * @param options targeting, site and retention overrides
   * @return what {@link Backend#publish} would receive
   * @throws IllegalArgumentException as {@link #publish} does
   * @throws InvalidMessageException as {@link #publish} does
   */
  public PreparedPublish prepare(String channel, @Nullable Object data, PublishOptions options) {
    SiteChannels.requireChannel(channel);
    Objects.requireNonNull(options, "options");
    if (ChannelNames.isGlobal(channel)
        && (options.userIds() != null || options.groupIds() != null)) {
      throw new InvalidMessageException(
          "userIds and groupIds are not allowed on the global channel " + channel);
    }
    String payload =
        codec.encode(
            new Envelope(data, options.userIds(), options.groupIds(), options.clientIds()));
    return new PreparedPublish(
        siteChannels.encode(channel, options.siteId()), payload, options.toBackendOptions());
  }

  // ---------------------------------------------------------------- subscribing

  /**
   * Subscribes to the messages published to a channel from now on, for every site.
   *
   * @param channel the channel
   * @param listener receives the messages
   * @return the handle to unsubscribe with
   * @throws IllegalArgumentException if the channel is null, empty or contains {@code $|$}
   * @throws BusClosedException if the bus was closed
   */
  public Subscription subscribe(String channel, MessageListener listener) {
    return subscribe(channel, -1, listener);
  }

  /**
   * Subscribes to a channel, for every site, starting after a message id (SPEC §2.3). With {@code
   * lastId >= 0} the backlog after it (read for the current site) is delivered first, on the
   * calling thread before this method returns, then live messages follow on the dispatch thread:
   * each message with a greater id exactly once, in order. A negative {@code lastId} means "from
   * now on". While the bus is {@linkplain #off() off} nothing is registered and an inactive handle
   * is returned.
   *
   * <p>While the store cannot be read the subscription is registered all the same and this method
   * returns without the replay: a subscription from now on receives what this process receives
   * after the call; one from a position is caught up on the bus's background thread once the store
   * answers (see "Outages" in the class description).
   *
   * @param channel the channel
   * @param lastId the last message id already seen, 0 for the whole backlog, negative for none
   * @param listener receives the messages
   * @return the handle to unsubscribe with
   * @throws IllegalArgumentException if the channel is null, empty or contains {@code $|$}
   * @throws BusClosedException if the bus was closed
   */
  public Subscription subscribe(String channel, long lastId, MessageListener listener) {
    SiteChannels.requireChannel(channel);
    return register(new Dispatcher.Key(null, channel), lastId, listener);
  }

  /**
   * Subscribes to every channel of every site from now on.
   *
   * @param listener receives the messages
   * @return the handle to unsubscribe with
   * @throws BusClosedException if the bus was closed
   */
  public Subscription subscribeAll(MessageListener listener) {
    return subscribeAll(-1, listener);
  }

  /**
   * Subscribes to every channel of every site, starting after a global id: the global backlog after
   * it first, then live messages.
   *
   * @param lastGlobalId the last global id already seen, 0 for the whole global backlog, negative
   *     for none
   * @param listener receives the messages
   * @return the handle to unsubscribe with
   * @throws BusClosedException if the bus was closed
   */
  public Subscription subscribeAll(long lastGlobalId, MessageListener listener) {
    return register(new Dispatcher.Key(null, null), lastGlobalId, listener);
  }

  /**
   * Subscribes to a channel of the current site only (the one the site lookup returns now; every
   * site for a global channel), from now on.
   *
   * @param channel the channel
   * @param listener receives the messages
   * @return the handle to unsubscribe with
   */
  public Subscription localSubscribe(String channel, MessageListener listener) {
    return localSubscribe(channel, -1, listener);
  }

  /**
   * Subscribes to a channel of the current site only, starting after a message id (see {@link
   * #subscribe(String, long, MessageListener)}).
   *
   * @param channel the channel
   * @param lastId the last message id already seen, 0 for the whole backlog, negative for none
   * @param listener receives the messages
   * @return the handle to unsubscribe with
   */
  public Subscription localSubscribe(String channel, long lastId, MessageListener listener) {
    SiteChannels.requireChannel(channel);
    return register(new Dispatcher.Key(siteChannels.localSite(channel), channel), lastId, listener);
  }

  /**
   * Subscribes to every channel of the current site only, from now on.
   *
   * @param listener receives the messages
   * @return the handle to unsubscribe with
   */
  public Subscription localSubscribeAll(MessageListener listener) {
    return register(new Dispatcher.Key(currentSiteId(), null), -1, listener);
  }

  /**
   * Removes every subscription made with {@code subscribe} on this channel (for every site).
   * Subscriptions are normally ended through their handle, {@link Subscription#unsubscribe()}.
   *
   * @param channel the channel
   */
  public void unsubscribe(String channel) {
    SiteChannels.requireChannel(channel);
    dispatcher.removeAll(new Dispatcher.Key(null, channel));
  }

  /**
   * Removes every subscription made with {@code localSubscribe} on this channel for the current
   * site.
   *
   * @param channel the channel
   */
  public void localUnsubscribe(String channel) {
    SiteChannels.requireChannel(channel);
    dispatcher.removeAll(new Dispatcher.Key(siteChannels.localSite(channel), channel));
  }

  private Subscription register(Dispatcher.Key key, long lastId, MessageListener listener) {
    Objects.requireNonNull(listener, "listener");
    requireOpen("subscribe");
    if (off) {
      return new KeyedSubscription.Inactive(key);
    }
    return replay.register(key, lastId, listener);
  }

  // ---------------------------------------------------------------- background

  /** One round of the background work; true if something waits for the store. */
  private boolean backgroundRound() {
    boolean started = firehose.startIfNeeded();
    return switch (replay.catchUpPending()) {
      case RETRY -> true;
      case STOP -> false;
      case DONE -> !started;
    };
  }

  /** The backend reports its store reachable: catch up what an outage interrupted. */
  private void catchUpAfterOutage() {
    if (replay.hasPending() || firehose.needsStart()) {
      background.request();
    }
  }

  private void publishKeepalive() {
    publish(
        KEEPALIVE_CHANNEL,
        ProcessHandle.current().pid(),
        PublishOptions.builder().userIds(-1).build());
  }

  // ---------------------------------------------------------------- reading

  /**
   * Returns the retained messages of a channel (for the current site) after a message id.
   *
   * @param channel the channel
   * @param lastId the id to read after, 0 for everything retained
   * @return the messages, ascending
   * @throws IllegalArgumentException if the channel is invalid or {@code lastId} is negative
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the store cannot be read
   */
  public List<Message> backlog(String channel, long lastId) {
    return backlog(channel, lastId, null);
  }

  /**
   * Returns the retained messages of a channel for a site after a message id.
   *
   * @param channel the channel
   * @param lastId the id to read after, 0 for everything retained
   * @param siteId the site, or null for the site lookup's
   * @return the messages, ascending
   * @throws IllegalArgumentException if the channel is invalid or {@code lastId} is negative
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the store cannot be read
   */
  public List<Message> backlog(String channel, long lastId, @Nullable String siteId) {
    SiteChannels.requireChannel(channel);
    requirePosition("lastId", lastId);
    requireOpen("read");
    return siteChannels.decodeAll(backend.backlog(siteChannels.encode(channel, siteId), lastId));
  }

  /**
   * Returns the retained messages of every channel and site after a global id.
   *
   * @param lastGlobalId the id to read after, 0 for everything retained
   * @return the messages, ascending by global id
   * @throws IllegalArgumentException if {@code lastGlobalId} is negative
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the store cannot be read
   */
  public List<Message> globalBacklog(long lastGlobalId) {
    requirePosition("lastGlobalId", lastGlobalId);
    requireOpen("read");
    return siteChannels.decodeAll(backend.globalBacklog(lastGlobalId));
  }

  /**
   * Returns the id of the newest message of a channel for the current site.
   *
   * @param channel the channel
   * @return the id, 0 when the channel has none
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the store cannot be read
   */
  public long lastId(String channel) {
    return lastId(channel, null);
  }

  /**
   * Returns the id of the newest message of a channel for a site.
   *
   * @param channel the channel
   * @param siteId the site, or null for the site lookup's
   * @return the id, 0 when the channel has none
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the store cannot be read
   */
  public long lastId(String channel, @Nullable String siteId) {
    SiteChannels.requireChannel(channel);
    requireOpen("read");
    return backend.lastId(siteChannels.encode(channel, siteId));
  }

  /**
   * Returns the ids of the newest messages of several channels for the current site, in one backend
   * round trip.
   *
   * @param channels the channels
   * @return channel to id (0 for none), in the given order
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the store cannot be read
   */
  public Map<String, Long> lastIds(Collection<String> channels) {
    return lastIds(channels, null);
  }

  /**
   * Returns the ids of the newest messages of several channels for a site, in one backend round
   * trip.
   *
   * @param channels the channels
   * @param siteId the site, or null for the site lookup's
   * @return channel to id (0 for none), in the given order
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the store cannot be read
   */
  public Map<String, Long> lastIds(Collection<String> channels, @Nullable String siteId) {
    Objects.requireNonNull(channels, "channels");
    List<String> ordered = new ArrayList<>(channels);
    List<String> encoded = new ArrayList<>(ordered.size());
    for (String c : ordered) {
      SiteChannels.requireChannel(c);
      encoded.add(siteChannels.encode(c, siteId));
    }
    requireOpen("read");
    long[] ids = encoded.isEmpty() ? new long[0] : backend.lastIds(encoded);
    Map<String, Long> result = new LinkedHashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      result.put(ordered.get(i), ids[i]);
    }
    return result;
  }

  /**
   * Returns the newest message of a channel for the current site.
   *
   * @param channel the channel
   * @return the message, or empty when the channel has none
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the store cannot be read
   */
  public Optional<Message> lastMessage(String channel) {
    SiteChannels.requireChannel(channel);
    requireOpen("read");
    String encoded = siteChannels.encode(channel, null);
    long id = backend.lastId(encoded);
    if (id <= 0) {
      return Optional.empty();
    }
    BackendMessage raw = backend.getMessage(encoded, id);
    return raw == null ? Optional.empty() : Optional.of(siteChannels.decode(raw));
  }

  // ---------------------------------------------------------------- client message filters

  /**
   * Registers a filter that web clients' deliveries on channels starting with {@code prefix} must
   * pass (SPEC §2.7). Filters registered later are asked first; two filters may share a prefix. A
   * null filter registers nothing.
   *
   * @param prefix the channel prefix, e.g. {@code /private/}
   * @param filter the filter, or null
   * @throws IllegalArgumentException if {@code prefix} is null
   */
  public void registerClientMessageFilter(String prefix, @Nullable ClientMessageFilter filter) {
    filters.register(prefix, filter);
  }

  /**
   * Returns the registered client message filters, oldest first.
   *
   * @return an immutable snapshot
   */
  public List<ClientMessageFilterRegistration> clientMessageFilters() {
    return filters.snapshot();
  }

  /**
   * Tells whether a message passes every client message filter whose prefix its channel starts
   * with, asking the newest first and stopping at the first refusal.
   *
   * @param message the message
   * @return false if a filter refused it
   */
  public boolean passesClientMessageFilters(Message message) {
    return filters.allow(message);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Turns the bus off: publishing does nothing and subscribing registers nothing. */
  public void off() {
    off(true);
  }

  /**
   * Turns the bus off. Subscribing registers nothing; publishing does nothing if {@code
   * disablePublish}, otherwise it goes on ("publish but do not listen"). Existing subscriptions
   * keep receiving.
   *
   * @param disablePublish whether publishing stops too
   */
  public void off(boolean disablePublish) {
    off = true;
    publishDisabled = disablePublish;
  }

  /**
   * Turns the bus on again, undoing {@link #off} and the closed state of {@link #close()}; after
   * {@code close()} the backend stays closed until {@link #reconnect()}.
   */
  public void on() {
    off = false;
    publishDisabled = false;
    closed = false;
  }

  /**
   * Tells whether the bus is off.
   *
   * @return true after {@link #off}, until {@link #on}
   */
  public boolean isOff() {
    return off;
  }

  /**
   * Tells whether the bus was closed (and not turned {@linkplain #on() on} since).
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Tells whether the dispatch thread is subscribed to the backend. The bus starts listening in the
   * background with the first subscription (and again after {@link #reconnect()}), so this turns
   * true shortly after, and false while the backend reconnects.
   *
   * @return true while live messages can arrive
   */
  public boolean isListening() {
    return firehose.isListening();
  }

  /**
   * Tells whether the keepalive saw messages arrive lately: false after more than three keepalive
   * intervals without receiving anything (SPEC §2.6), true again with the next message.
   *
   * @return the health flag (always true with the keepalive disabled)
   */
  public boolean isHealthy() {
    return keepalive.isHealthy();
  }

  /**
   * Tells whether the backend reaches its store right now, as the backend last reported (see {@link
   * BackendState}). A backend that does not report is always {@link BackendState#CONNECTED}. This
   * is the signal for health checks: unlike {@link #isHealthy()} it changes the moment the backend
   * notices a lost connection.
   *
   * @return the state
   */
  public BackendState backendState() {
    return state.state();
  }

  /**
   * Returns what made the backend {@link BackendState#DISCONNECTED}.
   *
   * @return the failure the backend reported, empty in the other states or when it gave none
   */
  public Optional<Throwable> backendFailure() {
    return state.failure();
  }

  /**
   * Adds a listener of the backend's connection state. It is told the current state at once, on the
   * calling thread, then every change in order (see {@link BackendStateListener} for the threads).
   * Adding the same listener twice tells it twice.
   *
   * @param listener the listener
   */
  public void addBackendStateListener(BackendStateListener listener) {
    Objects.requireNonNull(listener, "listener");
    state.add(listener);
  }

  /**
   * Removes a listener added with {@link #addBackendStateListener}; it is told nothing afterwards.
   *
   * @param listener the listener
   */
  public void removeBackendStateListener(BackendStateListener listener) {
    state.remove(listener);
  }

  /**
   * Adds an observer of what the bus does (publishes and their latency, dispatched messages, the
   * delay from publish to dispatch, listener failures, distributed cache reads), for metrics; the
   * {@code message-bus-micrometer} module binds one to a Micrometer registry. Without observers the
   * bus reports nothing and pays nothing but one field read per event. Observers may be added and
   * removed at any time, from any thread; each is told the events that happen while it is added.
   *
   * @param observer the observer (see {@link BusObserver} for the threads it is called on)
   * @return the handle that removes it
   */
  public ObserverRegistration observe(BusObserver observer) {
    return observers.add(observer);
  }

  /**
   * Returns what the bus reports its events to: every observer added with {@link #observe}, or
   * {@link BusObserver#NOOP} when there are none. Parts built on the bus (the distributed cache)
   * report their own events through it; read it at each event rather than keeping it, since
   * observers come and go.
   *
   * @return the current observer, never null
   */
  public BusObserver observer() {
    return observers.current();
  }

  /**
   * Returns how many server-side subscriptions are registered now (those of every {@code subscribe}
   * call that were not unsubscribed, including the HTTP engine's own), for a gauge.
   *
   * @return the count
   */
  public int subscriptionCount() {
    return dispatcher.subscriptionCount();
  }

  /**
   * Drops and re-creates the backend's connections and restarts the dispatch thread and keepalive
   * if subscriptions exist (Ruby: {@code after_fork}); the dispatch thread starts again in the
   * background. Messages published while the bus was closed are delivered from the backlog, as far
   * as it retains them.
   *
   * @throws BusClosedException if the bus is closed; call {@link #on()} first
   */
  public void reconnect() {
    boolean listen;
    lifecycle.lock();
    try {
      requireOpen("reconnect");
      firehose.stop();
      backend.reconnect();
      listen = firehose.restartIfSubscribed();
    } finally {
      lifecycle.unlock();
    }
    if (listen || replay.hasPending()) {
      background.request();
    }
  }

  /**
   * Deletes every message and id counter in the backend; ids start again at 1. Subscriptions keep
   * receiving.
   *
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if the store failed
   */
  public void reset() {
    requireOpen("reset");
    backend.reset();
  }

  /**
   * Stops the dispatch thread, the keepalive and the bus's background thread, and closes the
   * backend. Idempotent. Afterwards publishing, reading and subscribing throw {@link
   * BusClosedException} until {@link #on()} and {@link #reconnect()}. Registered subscriptions are
   * kept (and those waiting for the store keep waiting).
   */
  @Override
  public void close() {
    ScheduledExecutorService stopped;
    lifecycle.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      firehose.stop();
      stopped = background.shutdown();
      backend.close();
    } finally {
      lifecycle.unlock();
    }
    // Let the background thread end before returning, so no thread outlives close().
    BackgroundWork.awaitTermination(stopped);
  }

  // ---------------------------------------------------------------- accessors and helpers

  /**
   * Returns the backend this bus uses.
   *
   * @return the backend
   */
  public Backend backend() {
    return backend;
  }

  /**
   * Returns the codec this bus encodes envelopes with.
   *
   * @return the codec
   */
  public TransportCodec codec() {
    return codec;
  }

  /**
   * Returns the site the site lookup answers now, for publishing and reading without a request.
   *
   * @return the site id, or null without a lookup
   */
  public @Nullable String currentSiteId() {
    return siteChannels.currentSiteId();
  }

  /**
   * Returns the clock the bus measures time with (the keepalive's silence); components that work
   * with the bus, such as diagnostics, use it too.
   *
   * @return the clock given to {@link Builder#clock}, or the system UTC clock
   */
  public Clock clock() {
    return clock;
  }

  private void requireOpen(String action) {
    if (closed) {
      throw new BusClosedException("cannot " + action + ": the message bus is closed");
    }
  }

  /** A duration in nanoseconds; past ~292 years, {@link Long#MAX_VALUE}. */
  private static long saturatedNanos(Duration d) {
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  private static void requirePosition(String name, long id) {
    if (id < 0) {
      throw new IllegalArgumentException(name + " must not be negative: " + id);
    }
  }

  /** Builds a {@link MessageBus}; each setter documents its default. Not thread-safe. */
  public static final class Builder {
    private @Nullable Backend backend;
    private TransportCodec codec = TransportCodec.json();
    private @Nullable Supplier<String> siteIdLookup;
    private ErrorListener errorListener = ErrorListener.NONE;
    private Duration keepaliveInterval = DEFAULT_KEEPALIVE_INTERVAL;
    private Clock clock = Clock.systemUTC();
    private @Nullable ScheduledExecutorService scheduler;

    private Duration retryInterval = DEFAULT_RETRY_INTERVAL;
    private Duration dispatchLagSampleInterval = DEFAULT_DISPATCH_LAG_SAMPLE_INTERVAL;
    private Duration publishTimingSampleInterval = DEFAULT_PUBLISH_TIMING_SAMPLE_INTERVAL;

    private Builder() {}

    /**
     * Sets the backend. Default: a new {@link MemoryBackend} with the default retention. The bus
     * owns its backend and closes it in {@link MessageBus#close()}.
     *
     * @param backend the backend
     * @return this builder
     */
    public Builder backend(Backend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * Sets the envelope codec; every process sharing the backend must use the same. Default {@link
     * TransportCodec#json()}.
     *
     * @param codec the codec
     * @return this builder
     */
    public Builder codec(TransportCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /**
     * Enables multisite: the lookup names the current site when publishing or reading without an
     * explicit site, and channels (except {@code /global/} ones) are stored per site. Default: none
     * (single site). A lookup returning null still encodes the channel (with an empty site), as
     * Ruby does.
     *
     * @param lookup called on publishing and reading threads; must be thread-safe
     * @return this builder
     */
    public Builder siteIdLookup(Supplier<String> lookup) {
      this.siteIdLookup = Objects.requireNonNull(lookup, "siteIdLookup");
      return this;
    }

    /**
     * Sets the listener told about listener failures, undecodable messages and missed keepalives.
     * Default {@link ErrorListener#NONE} (failures are still logged).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder errorListener(ErrorListener listener) {
      this.errorListener = Objects.requireNonNull(listener, "errorListener");
      return this;
    }

    /**
     * Sets how often the keepalive publishes to {@value MessageBus#KEEPALIVE_CHANNEL} and checks
     * that messages still arrive. Default 60 s; {@link Duration#ZERO} disables it. (Ruby treats 20
     * s or less as disabled; here any positive interval is honoured.)
     *
     * @param interval zero or positive
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is negative
     */
    public Builder keepaliveInterval(Duration interval) {
      this.keepaliveInterval = OptionChecks.notNegative("keepaliveInterval", interval);
      return this;
    }

    /**
     * Sets the bus's clock: the keepalive measures silence with it, and {@link
     * org.messagebus.diagnostics.Diagnostics} its uptime. Together with {@link #scheduler} it makes
     * the bus's timing testable without waiting. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the scheduler that runs the keepalive and the bus's background work (starting the
     * dispatch thread, catching up subscriptions made while the store could not be read; these may
     * wait on the store up to the backend's timeouts). Default: a single daemon thread the bus
     * creates and shuts down on close. A supplied scheduler is never shut down by the bus.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Sets how often the bus tries again, while its store cannot be read, to start listening and to
     * catch up subscriptions made meanwhile. It also tries at once whenever the backend reports
     * {@link BackendState#CONNECTED}. Default 1 second.
     *
     * @param interval positive
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     */
    public Builder retryInterval(Duration interval) {
      this.retryInterval = OptionChecks.positive("retryInterval", interval);
      return this;
    }

    /**
     * Sets how often, at most, an {@linkplain MessageBus#observe observer} is told the {@linkplain
     * BusObserver#dispatchLag dispatch lag} of one of this process's own publishes: the first
     * observed publish is measured, then the next one that starts at least this long after the last
     * measured one. Measuring one costs about 130 ns (two map operations, two small objects, a
     * clock read on the dispatch thread), more than the rest of the observation together; at the
     * default, below 1,000 publishes a second every publish is measured and above it the cost is
     * spread over the publishes in between. Only {@linkplain #publishTimingSampleInterval timed}
     * publishes are candidates. Default 1 ms; {@link Duration#ZERO} measures every own timed
     * publish. Without an observer nothing is measured.
     *
     * @param interval zero or positive
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is negative
     */
    public Builder dispatchLagSampleInterval(Duration interval) {
      this.dispatchLagSampleInterval =
          OptionChecks.notNegative("dispatchLagSampleInterval", interval);
      return this;
    }

    /**
     * Sets how often, at most, an {@linkplain MessageBus#observe observer} is told how long a
     * publish took ({@link BusObserver#published}), when publishes come faster than that. Every
     * publish is counted; timing one costs two clock reads and the observer's timer (about 100 ns
     * with Micrometer, against about 600 ns for a whole in-process publish and its dispatch). While
     * publishes come at most one per interval every one is timed; faster, a random sample is timed,
     * about one per interval and at least one publish in 64; the others are told with {@link
     * BusObserver#UNTIMED}. Default 1 ms (every publish below about 1,000 a second); {@link
     * Duration#ZERO} times every publish.
     *
     * @param interval zero or positive
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is negative
     */
    public Builder publishTimingSampleInterval(Duration interval) {
      this.publishTimingSampleInterval =
          OptionChecks.notNegative("publishTimingSampleInterval", interval);
      return this;
    }

    /**
     * Builds the bus. Nothing is started until the first subscription, and nothing here needs the
     * store: a bus can be built while its backend is unreachable.
     *
     * @return the bus
     */
    public MessageBus build() {
      return new MessageBus(this);
    }
  }
}
