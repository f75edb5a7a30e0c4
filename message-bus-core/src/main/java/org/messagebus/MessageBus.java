package org.messagebus;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.ChannelNames;
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
 * backend announces it and one dispatch thread (the backend's firehose subscription, started with
 * the first subscription) decodes it once and calls each matching listener in turn. A subscription
 * from a position replays the backlog on the subscribing thread, then switches to the dispatch
 * thread with no gap and no duplicate. Each listener call is isolated: a listener that throws is
 * logged and reported to the {@link ErrorListener}, and the others still receive the message.
 *
 * <p><b>Lifecycle.</b> {@link #off()} stops publishing and subscribing without releasing anything;
 * {@link #on()} undoes it. {@link #close()} stops the dispatch thread and the keepalive, and closes
 * the backend; it is idempotent. {@link #on()} followed by {@link #reconnect()} makes a closed bus
 * usable again (Ruby: {@code on; after_fork}).
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

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MessageBus.class);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final Backend backend;
  private final TransportCodec codec;
  private final Supplier<String> siteIdLookup;
  private final ErrorListener errorListener;
  private final Duration keepaliveInterval;
  private final Clock clock;
  private final ScheduledExecutorService suppliedScheduler;
  private final Dispatcher dispatcher = new Dispatcher(this);
  private final CopyOnWriteArrayList<ClientMessageFilterRegistration> filters =
      new CopyOnWriteArrayList<>();

  private volatile boolean off;
  private volatile boolean publishDisabled;
  private volatile boolean closed;
  private volatile boolean healthy = true;

  private final ReentrantLock lifecycle = new ReentrantLock();
  // guarded by lifecycle
  private BackendSubscription firehose;
  private ScheduledExecutorService ownScheduler;
  private ScheduledFuture<?> keepaliveTask;

  private MessageBus(Builder b) {
    this.backend = b.backend != null ? b.backend : MemoryBackend.create();
    this.codec = b.codec;
    this.siteIdLookup = b.siteIdLookup;
    this.errorListener = b.errorListener;
    this.keepaliveInterval = b.keepaliveInterval;
    this.clock = b.clock;
    this.suppliedScheduler = b.scheduler;
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
  public long publish(String channel, Object data) {
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
  public long publish(String channel, Object data, PublishOptions options) {
    requireChannel(channel);
    Objects.requireNonNull(options, "options");
    if (publishDisabled) {
      return NO_ID;
    }
    requireOpen("publish");
    PreparedPublish p = prepare(channel, data, options);
    return backend.publish(p.channel(), p.payload(), p.options());
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
  public PreparedPublish prepare(String channel, Object data, PublishOptions options) {
    requireChannel(channel);
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
        encode(channel, options.siteId()), payload, options.toBackendOptions());
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
   * @param channel the channel
   * @param lastId the last message id already seen, 0 for the whole backlog, negative for none
   * @param listener receives the messages
   * @return the handle to unsubscribe with
   * @throws IllegalArgumentException if the channel is null, empty or contains {@code $|$}
   * @throws BusClosedException if the bus was closed
   * @throws BackendException if reading the position or the backlog failed
   */
  public Subscription subscribe(String channel, long lastId, MessageListener listener) {
    requireChannel(channel);
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
    requireChannel(channel);
    String site = ChannelNames.isGlobal(channel) ? null : currentSiteId();
    return register(new Dispatcher.Key(site, channel), lastId, listener);
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
    requireChannel(channel);
    dispatcher.removeAll(new Dispatcher.Key(null, channel));
  }

  /**
   * Removes every subscription made with {@code localSubscribe} on this channel for the current
   * site.
   *
   * @param channel the channel
   */
  public void localUnsubscribe(String channel) {
    requireChannel(channel);
    String site = ChannelNames.isGlobal(channel) ? null : currentSiteId();
    dispatcher.removeAll(new Dispatcher.Key(site, channel));
  }

  private Subscription register(Dispatcher.Key key, long lastId, MessageListener listener) {
    Objects.requireNonNull(listener, "listener");
    requireOpen("subscribe");
    if (off) {
      return new InactiveSubscription(key);
    }
    ListenerSubscription sub = dispatcher.register(key, listener);
    try {
      ensureListening();
      String replaySite;
      String encoded;
      if (key.channel() == null) {
        replaySite = null;
        encoded = null;
      } else {
        replaySite = ChannelNames.isGlobal(key.channel()) ? null : siteForRead(key.site());
        encoded = encode(key.channel(), key.site());
      }
      long position;
      if (lastId >= 0) {
        position = lastId;
      } else {
        position = encoded == null ? backend.lastGlobalId() : backend.lastId(encoded);
      }
      List<BackendMessage> raw =
          encoded == null ? backend.globalBacklog(position) : backend.backlog(encoded, position);
      // The firehose may still be behind what the backlog read returned (SPEC §2.3 ADOPT).
      long horizon = backend.lastGlobalId();
      List<Message> replay = new ArrayList<>(raw.size());
      for (BackendMessage r : raw) {
        Message m = decodeOrSkip(r);
        if (m != null && (key.site() == null || key.site().equals(m.siteId()))) {
          replay.add(m);
        }
      }
      sub.catchUp(
          replay,
          encoded == null
              ? Dispatcher.GLOBAL_STREAM
              : Dispatcher.channelStream(key.channel(), replaySite),
          position,
          horizon);
      return sub;
    } catch (RuntimeException e) {
      sub.unsubscribe();
      throw e;
    }
  }

  private String siteForRead(String keySite) {
    if (keySite != null) {
      return keySite;
    }
    return siteIdLookup == null ? null : siteIdLookup.get();
  }

  /** Starts the firehose and the keepalive if they are not running. */
  private void ensureListening() {
    lifecycle.lock();
    try {
      if (firehose != null && !firehose.isClosed()) {
        return;
      }
      long from = dispatcher.lastGlobalId();
      if (from < 0) {
        from = backend.lastGlobalId();
      }
      dispatcher.markReceivedNow();
      dispatcher.firehoseStartsAfter(from);
      firehose = backend.globalSubscribe(from, dispatcher);
      startKeepalive();
    } finally {
      lifecycle.unlock();
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * Returns the retained messages of a channel (for the current site) after a message id.
   *
   * @param channel the channel
   * @param lastId the id to read after, 0 for everything retained
   * @return the messages, ascending
   * @throws IllegalArgumentException if the channel is invalid or {@code lastId} is negative
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
   */
  public List<Message> backlog(String channel, long lastId, String siteId) {
    requireChannel(channel);
    requirePosition("lastId", lastId);
    return decodeAll(backend.backlog(encode(channel, siteId), lastId));
  }

  /**
   * Returns the retained messages of every channel and site after a global id.
   *
   * @param lastGlobalId the id to read after, 0 for everything retained
   * @return the messages, ascending by global id
   * @throws IllegalArgumentException if {@code lastGlobalId} is negative
   */
  public List<Message> globalBacklog(long lastGlobalId) {
    requirePosition("lastGlobalId", lastGlobalId);
    return decodeAll(backend.globalBacklog(lastGlobalId));
  }

  /**
   * Returns the id of the newest message of a channel for the current site.
   *
   * @param channel the channel
   * @return the id, 0 when the channel has none
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
   */
  public long lastId(String channel, String siteId) {
    requireChannel(channel);
    return backend.lastId(encode(channel, siteId));
  }

  /**
   * Returns the ids of the newest messages of several channels for the current site, in one backend
   * round trip.
   *
   * @param channels the channels
   * @return channel to id (0 for none), in the given order
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
   */
  public Map<String, Long> lastIds(Collection<String> channels, String siteId) {
    Objects.requireNonNull(channels, "channels");
    List<String> ordered = new ArrayList<>(channels);
    List<String> encoded = new ArrayList<>(ordered.size());
    for (String c : ordered) {
      requireChannel(c);
      encoded.add(encode(c, siteId));
    }
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
   */
  public Optional<Message> lastMessage(String channel) {
    requireChannel(channel);
    String encoded = encode(channel, null);
    long id = backend.lastId(encoded);
    if (id <= 0) {
      return Optional.empty();
    }
    BackendMessage raw = backend.getMessage(encoded, id);
    return raw == null ? Optional.empty() : Optional.of(decode(raw));
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
  public void registerClientMessageFilter(String prefix, ClientMessageFilter filter) {
    if (prefix == null) {
      throw new IllegalArgumentException("prefix must not be null");
    }
    if (filter != null) {
      filters.add(new ClientMessageFilterRegistration(prefix, filter));
    }
  }

  /**
   * Returns the registered client message filters, oldest first.
   *
   * @return an immutable snapshot
   */
  public List<ClientMessageFilterRegistration> clientMessageFilters() {
    return List.copyOf(filters);
  }

  /**
   * Tells whether a message passes every client message filter whose prefix its channel starts
   * with, asking the newest first and stopping at the first refusal.
   *
   * @param message the message
   * @return false if a filter refused it
   */
  public boolean passesClientMessageFilters(Message message) {
    if (filters.isEmpty()) {
      return true;
    }
    // Filters are only ever added: iterate a snapshot backwards without copying it.
    ListIterator<ClientMessageFilterRegistration> it = filters.listIterator(filters.size());
    while (it.hasPrevious()) {
      ClientMessageFilterRegistration r = it.previous();
      if (message.channel().startsWith(r.prefix()) && !r.filter().allow(message)) {
        return false;
      }
    }
    return true;
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

  /** Turns the bus on again, undoing {@link #off} and the closed state of {@link #close()}. */
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
   * Tells whether the dispatch thread is subscribed to the backend.
   *
   * @return true while live messages can arrive
   */
  public boolean isListening() {
    lifecycle.lock();
    try {
      return !closed && firehose != null && firehose.isSubscribed();
    } finally {
      lifecycle.unlock();
    }
  }

  /**
   * Tells whether the keepalive saw messages arrive lately: false after more than three keepalive
   * intervals without receiving anything (SPEC §2.6), true again with the next message.
   *
   * @return the health flag (always true with the keepalive disabled)
   */
  public boolean isHealthy() {
    return healthy;
  }

  /**
   * Drops and re-creates the backend's connections and restarts the dispatch thread and keepalive
   * if subscriptions exist (Ruby: {@code after_fork}). Messages published while the bus was closed
   * are delivered from the backlog, as far as it retains them.
   *
   * @throws BusClosedException if the bus is closed; call {@link #on()} first
   */
  public void reconnect() {
    lifecycle.lock();
    try {
      requireOpen("reconnect");
      stopListening();
      backend.reconnect();
      if (dispatcher.hasSubscriptions()) {
        ensureListening();
      }
    } finally {
      lifecycle.unlock();
    }
  }

  /**
   * Deletes every message and id counter in the backend; ids start again at 1. Subscriptions keep
   * receiving.
   */
  public void reset() {
    backend.reset();
  }

  /**
   * Stops the dispatch thread and the keepalive and closes the backend. Idempotent. Afterwards
   * publishing and subscribing throw {@link BusClosedException} until {@link #on()} and {@link
   * #reconnect()}. Registered subscriptions are kept.
   */
  @Override
  public void close() {
    lifecycle.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      stopListening();
      if (ownScheduler != null) {
        ownScheduler.shutdownNow();
        ownScheduler = null;
      }
      backend.close();
    } finally {
      lifecycle.unlock();
    }
  }

  private void stopListening() {
    if (keepaliveTask != null) {
      keepaliveTask.cancel(false);
      keepaliveTask = null;
    }
    if (firehose != null) {
      firehose.close();
      firehose = null;
    }
  }

  // ---------------------------------------------------------------- keepalive

  private void startKeepalive() {
    if (keepaliveInterval.isZero() || keepaliveTask != null) {
      return;
    }
    long nanos = keepaliveInterval.toNanos();
    keepaliveTask =
        scheduler().scheduleWithFixedDelay(this::keepalive, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  private ScheduledExecutorService scheduler() {
    if (suppliedScheduler != null) {
      return suppliedScheduler;
    }
    if (ownScheduler == null) {
      ownScheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "message-bus-timer-" + THREAD_IDS.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
    }
    return ownScheduler;
  }

  private void keepalive() {
    if (closed) {
      return;
    }
    try {
      publish(
          KEEPALIVE_CHANNEL,
          ProcessHandle.current().pid(),
          PublishOptions.builder().userIds(-1).build());
    } catch (RuntimeException e) {
      LOG.warn("keepalive publish failed: {}", e.toString());
      reportBackgroundError(e);
    }
    long silence = clock.millis() - dispatcher.lastReceivedMillis();
    if (silence > 3 * keepaliveInterval.toMillis()) {
      healthy = false;
      LOG.warn(
          "message bus is no longer functioning correctly: nothing received for {} ms", silence);
      try {
        errorListener.onKeepaliveMissed(Duration.ofMillis(silence));
      } catch (RuntimeException e) {
        LOG.warn("error listener failed", e);
      }
    } else {
      healthy = true;
    }
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
  public String currentSiteId() {
    return siteIdLookup == null ? null : siteIdLookup.get();
  }

  ErrorListener errorListener() {
    return errorListener;
  }

  Clock clock() {
    return clock;
  }

  void reportBackgroundError(Throwable error) {
    try {
      errorListener.onBackgroundError(error);
    } catch (RuntimeException e) {
      LOG.warn("error listener failed", e);
    }
  }

  /** Encodes a channel with a site as SPEC §1.1 says. */
  private String encode(String channel, String siteId) {
    if (siteId == null && siteIdLookup == null) {
      return channel;
    }
    return ChannelNames.withSite(channel, siteId != null ? siteId : siteIdLookup.get());
  }

  Message decode(BackendMessage raw) {
    Envelope env = codec.decode(raw.payload());
    String channel = ChannelNames.channelOf(raw.channel());
    String site = ChannelNames.isGlobal(channel) ? null : ChannelNames.siteOf(raw.channel());
    return new Message(
        raw.globalId(),
        raw.messageId(),
        channel,
        env.data(),
        site,
        env.userIds(),
        env.groupIds(),
        env.clientIds());
  }

  private Message decodeOrSkip(BackendMessage raw) {
    try {
      return decode(raw);
    } catch (RuntimeException e) {
      LOG.warn("cannot decode message {} on {}, skipping", raw.globalId(), raw.channel(), e);
      reportBackgroundError(e);
      return null;
    }
  }

  private List<Message> decodeAll(List<BackendMessage> raw) {
    List<Message> result = new ArrayList<>(raw.size());
    for (BackendMessage r : raw) {
      Message m = decodeOrSkip(r);
      if (m != null) {
        result.add(m);
      }
    }
    return result;
  }

  private void requireOpen(String action) {
    if (closed) {
      throw new BusClosedException("cannot " + action + ": the message bus is closed");
    }
  }

  private static void requireChannel(String channel) {
    if (channel == null || channel.isEmpty()) {
      throw new IllegalArgumentException("channel must not be null or empty");
    }
    if (channel.contains(ChannelNames.SITE_SEPARATOR)) {
      throw new IllegalArgumentException("channel must not contain $|$: " + channel);
    }
  }

  private static void requirePosition(String name, long id) {
    if (id < 0) {
      throw new IllegalArgumentException(name + " must not be negative: " + id);
    }
  }

  /** The handle returned while the bus is off: nothing was registered. */
  private record InactiveSubscription(Dispatcher.Key key) implements Subscription {
    @Override
    public String channel() {
      return key.channel();
    }

    @Override
    public String siteId() {
      return key.site();
    }

    @Override
    public boolean isActive() {
      return false;
    }

    @Override
    public void unsubscribe() {}
  }

  /** Builds a {@link MessageBus}; each setter documents its default. Not thread-safe. */
  public static final class Builder {
    private Backend backend;
    private TransportCodec codec = TransportCodec.json();
    private Supplier<String> siteIdLookup;
    private ErrorListener errorListener = ErrorListener.NONE;
    private Duration keepaliveInterval = DEFAULT_KEEPALIVE_INTERVAL;
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;

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
      Objects.requireNonNull(interval, "keepaliveInterval");
      if (interval.isNegative()) {
        throw new IllegalArgumentException("keepaliveInterval must not be negative: " + interval);
      }
      this.keepaliveInterval = interval;
      return this;
    }

    /**
     * Sets the clock the keepalive measures silence with. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the scheduler that runs the keepalive. Default: a single daemon thread the bus creates
     * and shuts down on close. A supplied scheduler is never shut down by the bus.
     *
     * @param scheduler the scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Builds the bus. Nothing is started until the first subscription.
     *
     * @return the bus
     */
    public MessageBus build() {
      return new MessageBus(this);
    }
  }
}
