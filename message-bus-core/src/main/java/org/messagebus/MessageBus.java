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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * backend announces it and one dispatch thread (the backend's firehose subscription, started in the
 * background with the first subscription) decodes it once and calls each matching listener in turn.
 * A subscription from a position replays the backlog on the subscribing thread, then switches to
 * the dispatch thread with no gap and no duplicate. Each listener call is isolated: a listener that
 * throws is logged and reported to the {@link ErrorListener}, and the others still receive the
 * message. One background thread of the bus (its {@linkplain Builder#scheduler scheduler}) runs the
 * keepalive, starts the firehose and catches up subscriptions made during an outage; no store call
 * is ever made while holding a lock that another thread needs.
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
 * The firehose, too, is started (and after {@link #reconnect()} restarted) in the background, from
 * a global id fixed before any subscription reads its replay horizon, so nothing between the two is
 * lost. On a bus that has never reached its store the firehose starts at the store's newest message
 * once it does: what other processes published before (or what this one queued in memory, Redis) is
 * then not delivered live, only from the backlogs. {@link #backendState()} and {@link
 * #addBackendStateListener} tell whether the store is reachable right now.
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

  /** Default of {@link Builder#retryInterval}: 1 second. */
  public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MessageBus.class);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  private final Backend backend;
  private final TransportCodec codec;
  private final Supplier<String> siteIdLookup;
  private final ErrorListener errorListener;
  private final Duration keepaliveInterval;
  private final Clock clock;
  private final ScheduledExecutorService suppliedScheduler;
  private final Duration retryInterval;
  private final Dispatcher dispatcher = new Dispatcher(this);
  private final CopyOnWriteArrayList<ClientMessageFilterRegistration> filters =
      new CopyOnWriteArrayList<>();

  private volatile boolean off;
  private volatile boolean publishDisabled;
  private volatile boolean closed;
  private volatile boolean healthy = true;

  // What the backend reported last; changes arrive in order (see onBackendState).
  private final Object stateLock = new Object();
  private final CopyOnWriteArrayList<BackendStateListener> stateListeners =
      new CopyOnWriteArrayList<>();
  private volatile BackendState backendState = BackendState.CONNECTED;
  private volatile Throwable backendFailure;

  // Lock order: lifecycle, then schedulerLock. Neither is held during a store call.
  private final ReentrantLock lifecycle = new ReentrantLock();
  // guarded by lifecycle (written), volatile for lock-free readers
  private volatile BackendSubscription firehose;
  // guarded by lifecycle
  private boolean listeningWanted;
  private long firehoseFrom = -1;
  private long epoch;
  private ScheduledFuture<?> keepaliveTask;

  private final Object schedulerLock = new Object();
  private ScheduledExecutorService ownScheduler; // guarded by schedulerLock

  // Subscriptions from a position whose store could not be read yet; caught up by tick().
  private final Set<PendingCatchUp> pending = ConcurrentHashMap.newKeySet();
  private final ReentrantLock tickLock = new ReentrantLock();
  private final AtomicBoolean tickQueued = new AtomicBoolean();
  private final AtomicBoolean retryQueued = new AtomicBoolean();
  private volatile boolean tickAgain;

  private MessageBus(Builder b) {
    this.backend = b.backend != null ? b.backend : MemoryBackend.create();
    this.codec = b.codec;
    this.siteIdLookup = b.siteIdLookup;
    this.errorListener = b.errorListener;
    this.keepaliveInterval = b.keepaliveInterval;
    this.clock = b.clock;
    this.suppliedScheduler = b.scheduler;
    this.retryInterval = b.retryInterval;
    backend.stateListener(this::onBackendState);
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
    // Resolved here: the site lookup may depend on the calling thread (a request).
    Replay plan = replayPlan(key);
    ListenerSubscription sub = dispatcher.register(key, listener);
    // "Now" in this process's stream, in case the store cannot tell us: read after registering.
    long now = dispatcher.sequence();
    startListening();
    if (backendState != BackendState.DISCONNECTED) {
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
      pending.add(new PendingCatchUp(sub, plan, lastId));
      requestTick();
    }
    return sub;
  }

  /**
   * What a subscription replays: one encoded channel (null for every channel), the sequence its
   * positions count in, and the site its messages must have (null for any).
   */
  private record Replay(String encoded, Dispatcher.Stream stream, String site) {}

  /** A subscription from a position that waits for the store. */
  private record PendingCatchUp(ListenerSubscription sub, Replay plan, long lastId) {}

  private Replay replayPlan(Dispatcher.Key key) {
    if (key.channel() == null) {
      return new Replay(null, Dispatcher.GLOBAL_STREAM, key.site());
    }
    String replaySite = ChannelNames.isGlobal(key.channel()) ? null : siteForRead(key.site());
    return new Replay(
        encode(key.channel(), key.site()),
        Dispatcher.channelStream(key.channel(), replaySite),
        key.site());
  }

  /**
   * Reads a subscription's position and backlog from the store and hands them over; the
   * subscription is live afterwards. No lock is held.
   *
   * @throws BackendException if the store cannot be read; the subscription is then untouched
   */
  private void catchUp(ListenerSubscription sub, Replay plan, long lastId) {
    fixFirehoseStart();
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
    for (BackendMessage r : raw) {
      Message m = decodeOrSkip(r);
      if (m != null && (plan.site() == null || plan.site().equals(m.siteId()))) {
        replay.add(m);
      }
    }
    sub.catchUp(replay, plan.stream(), position, horizon);
  }

  private String siteForRead(String keySite) {
    if (keySite != null) {
      return keySite;
    }
    return siteIdLookup == null ? null : siteIdLookup.get();
  }

  // ---------------------------------------------------------------- listening (background)

  /**
   * Makes sure the firehose will start from a global id no later than anything read from the store
   * after this returns: a subscription reads its replay horizon only afterwards, so the firehose
   * delivers everything past that horizon.
   */
  private void fixFirehoseStart() {
    lifecycle.lock();
    try {
      if (firehoseFrom >= 0 || dispatcher.lastGlobalId() >= 0) {
        return;
      }
    } finally {
      lifecycle.unlock();
    }
    long from = backend.lastGlobalId();
    lifecycle.lock();
    try {
      if (firehoseFrom < 0) {
        firehoseFrom = from;
      }
    } finally {
      lifecycle.unlock();
    }
  }

  // guarded by lifecycle
  private long firehoseStart() {
    long last = dispatcher.lastGlobalId();
    return last >= 0 ? last : firehoseFrom;
  }

  /**
   * Asks the background thread to start the firehose (and the keepalive) if they are not running.
   */
  private void startListening() {
    lifecycle.lock();
    try {
      if (closed) {
        return;
      }
      listeningWanted = true;
      BackendSubscription f = firehose;
      if (f != null && !f.isClosed()) {
        return;
      }
    } finally {
      lifecycle.unlock();
    }
    requestTick();
  }

  /** Runs {@link #tick()} on the background thread soon (at once if it is idle). */
  private void requestTick() {
    tickAgain = true;
    if (!tickQueued.compareAndSet(false, true)) {
      return; // a run is queued and will see tickAgain
    }
    ScheduledExecutorService s = scheduler();
    try {
      if (s == null) {
        throw new RejectedExecutionException("closed");
      }
      s.execute(this::runTicks);
    } catch (RejectedExecutionException e) {
      tickQueued.set(false); // closed: on() and reconnect() ask again
    }
  }

  private void runTicks() {
    tickQueued.set(false);
    if (!tickLock.tryLock()) {
      return; // another run is busy; it checks tickAgain once more after unlocking
    }
    boolean retry = false;
    try {
      while (tickAgain && !closed) {
        tickAgain = false;
        retry = tick();
      }
    } finally {
      tickLock.unlock();
    }
    if (tickAgain && !closed) {
      requestTick();
    } else if (retry) {
      scheduleRetry();
    }
  }

  private void scheduleRetry() {
    if (!retryQueued.compareAndSet(false, true)) {
      return;
    }
    ScheduledExecutorService s = scheduler();
    try {
      if (s == null) {
        throw new RejectedExecutionException("closed");
      }
      s.schedule(
          () -> {
            retryQueued.set(false);
            requestTick();
          },
          retryInterval.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      retryQueued.set(false);
    }
  }

  /**
   * Starts the firehose if it should run, then catches up the subscriptions waiting for the store.
   * Runs on the background thread only.
   *
   * @return true if something could not be done yet (the store is away): retry later
   */
  private boolean tick() {
    boolean retry = !startFirehoseIfNeeded();
    for (PendingCatchUp p : pending) {
      if (closed) {
        return false;
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
        return true;
      } catch (BusClosedException e) {
        return false; // on() and reconnect() ask again
      } catch (RuntimeException e) {
        LOG.warn("catch-up of {} failed, retrying in {}", p.sub(), retryInterval, e);
        reportBackgroundError(e);
        return true;
      }
    }
    return retry;
  }

  /**
   * Starts the firehose if it should run and does not. Never holds a lock during a store call.
   *
   * @return false if it should run but could not be started yet
   */
  private boolean startFirehoseIfNeeded() {
    long startEpoch;
    long from;
    lifecycle.lock();
    try {
      BackendSubscription f = firehose;
      if (closed || !listeningWanted || (f != null && !f.isClosed())) {
        return true;
      }
      startEpoch = epoch;
      from = firehoseStart();
    } finally {
      lifecycle.unlock();
    }
    BackendSubscription started;
    try {
      if (from < 0) {
        long newest = backend.lastGlobalId();
        lifecycle.lock();
        try {
          if (firehoseFrom < 0) {
            firehoseFrom = newest;
          }
          from = firehoseStart();
        } finally {
          lifecycle.unlock();
        }
      }
      dispatcher.markReceivedNow();
      dispatcher.firehoseStartsAfter(from);
      started = backend.globalSubscribe(from, dispatcher);
    } catch (BackendException e) {
      LOG.debug("cannot start listening yet: {}", e.getMessage());
      return false;
    } catch (BusClosedException e) {
      return true;
    } catch (RuntimeException e) {
      LOG.warn("starting the backend subscription failed, retrying in {}", retryInterval, e);
      reportBackgroundError(e);
      return false;
    }
    boolean keep;
    lifecycle.lock();
    try {
      BackendSubscription f = firehose;
      keep = !closed && epoch == startEpoch && (f == null || f.isClosed());
      if (keep) {
        firehose = started;
        startKeepalive();
      }
    } finally {
      lifecycle.unlock();
    }
    if (!keep) {
      started.close(); // closed or reconnected meanwhile
    }
    return true;
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
  public List<Message> backlog(String channel, long lastId, String siteId) {
    requireChannel(channel);
    requirePosition("lastId", lastId);
    requireOpen("read");
    return decodeAll(backend.backlog(encode(channel, siteId), lastId));
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
    return decodeAll(backend.globalBacklog(lastGlobalId));
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
  public long lastId(String channel, String siteId) {
    requireChannel(channel);
    requireOpen("read");
    return backend.lastId(encode(channel, siteId));
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
  public Map<String, Long> lastIds(Collection<String> channels, String siteId) {
    Objects.requireNonNull(channels, "channels");
    List<String> ordered = new ArrayList<>(channels);
    List<String> encoded = new ArrayList<>(ordered.size());
    for (String c : ordered) {
      requireChannel(c);
      encoded.add(encode(c, siteId));
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
    requireChannel(channel);
    requireOpen("read");
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
    BackendSubscription f = firehose;
    return !closed && f != null && f.isSubscribed();
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
   * Tells whether the backend reaches its store right now, as the backend last reported (see {@link
   * BackendState}). A backend that does not report is always {@link BackendState#CONNECTED}. This
   * is the signal for health checks: unlike {@link #isHealthy()} it changes the moment the backend
   * notices a lost connection.
   *
   * @return the state
   */
  public BackendState backendState() {
    return backendState;
  }

  /**
   * Returns what made the backend {@link BackendState#DISCONNECTED}.
   *
   * @return the failure the backend reported, empty in the other states or when it gave none
   */
  public Optional<Throwable> backendFailure() {
    return backendState == BackendState.DISCONNECTED
        ? Optional.ofNullable(backendFailure)
        : Optional.empty();
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
    synchronized (stateLock) {
      stateListeners.add(listener);
      tell(listener, backendState, backendFailure);
    }
  }

  /**
   * Removes a listener added with {@link #addBackendStateListener}; it is told nothing afterwards.
   *
   * @param listener the listener
   */
  public void removeBackendStateListener(BackendStateListener listener) {
    synchronized (stateLock) {
      stateListeners.remove(listener);
    }
  }

  /** The backend's report; runs on the backend's thread, changes one at a time, in order. */
  private void onBackendState(BackendState state, Throwable cause) {
    BackendState before;
    synchronized (stateLock) {
      before = backendState;
      backendFailure = state == BackendState.DISCONNECTED ? cause : null;
      backendState = state;
      for (BackendStateListener l : stateListeners) {
        tell(l, state, cause);
      }
    }
    if (state == BackendState.DISCONNECTED && before != BackendState.DISCONNECTED) {
      LOG.warn(
          "the backend cannot reach its store ({}); subscriptions made meanwhile catch up when it"
              + " is back",
          cause == null ? "no cause given" : cause.getMessage());
    } else if (state == BackendState.CONNECTED) {
      if (before == BackendState.DISCONNECTED) {
        LOG.info("the backend reaches its store again");
      }
      if (!pending.isEmpty() || needsFirehose()) {
        requestTick();
      }
    }
  }

  private boolean needsFirehose() {
    BackendSubscription f = firehose;
    return !closed && (f == null || f.isClosed()) && dispatcher.hasSubscriptions();
  }

  private static void tell(BackendStateListener l, BackendState state, Throwable cause) {
    try {
      l.onBackendStateChange(state, cause);
    } catch (RuntimeException e) {
      LOG.warn("backend state listener {} failed", l, e);
    }
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
    lifecycle.lock();
    try {
      requireOpen("reconnect");
      stopListening();
      backend.reconnect();
      listeningWanted = dispatcher.hasSubscriptions();
    } finally {
      lifecycle.unlock();
    }
    if (listeningWanted || !pending.isEmpty()) {
      requestTick();
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
      stopListening();
      synchronized (schedulerLock) {
        stopped = ownScheduler;
        ownScheduler = null;
      }
      if (stopped != null) {
        stopped.shutdownNow(); // drops a queued tick or retry: let on() and reconnect() queue anew
        tickQueued.set(false);
        retryQueued.set(false);
      }
      backend.close();
    } finally {
      lifecycle.unlock();
    }
    if (stopped != null) {
      try {
        // Let the background thread end before returning, so no thread outlives close().
        if (!stopped.awaitTermination(5, TimeUnit.SECONDS)) {
          LOG.warn("the message bus background thread did not stop within 5 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // guarded by lifecycle
  private void stopListening() {
    epoch++;
    if (keepaliveTask != null) {
      keepaliveTask.cancel(false);
      keepaliveTask = null;
    }
    BackendSubscription f = firehose;
    firehose = null;
    if (f != null) {
      f.close();
    }
  }

  // ---------------------------------------------------------------- keepalive

  // guarded by lifecycle
  private void startKeepalive() {
    if (keepaliveInterval.isZero() || keepaliveTask != null) {
      return;
    }
    ScheduledExecutorService s = scheduler();
    if (s == null) {
      return;
    }
    long nanos = keepaliveInterval.toNanos();
    try {
      keepaliveTask = s.scheduleWithFixedDelay(this::keepalive, nanos, nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("keepalive not started: the scheduler is shut down");
    }
  }

  /** The scheduler of the keepalive and the background work, or null once closed. */
  private ScheduledExecutorService scheduler() {
    if (suppliedScheduler != null) {
      return closed ? null : suppliedScheduler;
    }
    synchronized (schedulerLock) {
      if (closed) {
        return null;
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
    private Duration retryInterval = DEFAULT_RETRY_INTERVAL;

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
      Objects.requireNonNull(interval, "retryInterval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("retryInterval must be positive: " + interval);
      }
      this.retryInterval = interval;
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
