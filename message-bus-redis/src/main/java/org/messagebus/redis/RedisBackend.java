package org.messagebus.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.messagebus.BackendException;
import org.messagebus.BackendStateListener;
import org.messagebus.BusClosedException;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendStateTracker;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.Retention;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backend} on Redis through Lettuce, wire-compatible with Ruby {@code message_bus} (SPEC
 * §3.2): the same keys, sorted sets, TTLs, atomic publish script effects, notification channel and
 * payloads, so Java and Ruby processes sharing one Redis database see each other's messages with
 * the same ids.
 *
 * <p>One line for the common case:
 *
 * <pre>{@code
 * MessageBus bus = MessageBus.builder()
 *     .backend(RedisBackend.builder().uri("redis://127.0.0.1:6379/0").build())
 *     .build();
 * }</pre>
 *
 * <p><b>Concurrency.</b> Publishes and reads from any thread share one Lettuce connection (Lettuce
 * pipelines concurrent commands on it). {@code lifecycle} guards creating and dropping connections
 * and the client. Each {@link #globalSubscribe} opens its own pub/sub connection and runs its own
 * daemon thread ({@link RedisSubscription}), which is the only thread calling its listener:
 * Lettuce's I/O threads only put notifications on that subscription's (unbounded) queue, so a slow
 * listener never stalls I/O; it makes only its own queue grow. After a lost connection Lettuce
 * reconnects and re-subscribes; the subscription then reads the global backlog after the last
 * global id it delivered (catch-up), so what was published meanwhile arrives in order, exactly
 * once.
 *
 * <p><b>Failures.</b> When Redis refuses a publish because it is read-only ({@code READONLY}, a
 * replica after a failover), unreachable or loading, the message goes to a bounded in-memory FIFO
 * (unless the publish says {@code queueInMemory=false}) and {@link #publish} returns {@link
 * Backend#QUEUED}; one flusher thread writes the queue in order once Redis accepts writes again.
 * While the queue is not empty, new publishes join its tail so order is kept (a publish with {@code
 * queueInMemory=false} goes to Redis directly, possibly ahead of queued ones). A message Redis
 * rejects for good (not a transient refusal) is logged at ERROR and dropped from the queue. {@link
 * #close()} stops the flusher and keeps what is queued (logged); {@link #reconnect()} resumes
 * flushing. When the queue holds {@link Builder#maxInMemoryPublishBacklog
 * maxInMemoryPublishBacklog} messages, a publish fails with {@link PublishQueueFullException} (Ruby
 * drops the oldest silently; we never drop). Reads fail with {@link BackendException} while Redis
 * is unreachable.
 *
 * <p><b>State.</b> The backend reports its {@linkplain org.messagebus.BackendState connection
 * state} from two kinds of links: the command connection (down when Lettuce loses it or cannot open
 * it, or a command fails for want of a connection or times out; up when it connects or a command is
 * answered, even with an error such as {@code READONLY}) and each subscription's pub/sub connection
 * (down when lost or refused, up once subscribed). After {@link #close()} every use throws {@link
 * BusClosedException} until {@link #reconnect()}; nothing re-opens a closed backend.
 *
 * <p><b>Unsubscribe hazard (SPEC §3.2.6).</b> Closing a subscription or this backend only closes
 * its own connections; it never broadcasts {@code $$UNSUBSCRIBE}, and a {@code $$UNSUBSCRIBE} sent
 * by a Ruby process is ignored, so no process can silence another.
 */
public final class RedisBackend implements Backend {

  /** Default of {@link Builder#uri(String)}: Redis on localhost, database 0. */
  public static final String DEFAULT_URI = "redis://127.0.0.1:6379/0";

  /** Default of {@link Builder#maxInMemoryPublishBacklog}: 1,000 messages (as Ruby). */
  public static final int DEFAULT_MAX_IN_MEMORY_PUBLISH_BACKLOG = 1000;

  /** Default of {@link Builder#commandTimeout}: 5 seconds. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

  /** Default of {@link Builder#retryInterval}: 1 second (as Ruby). */
  public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);

  /** The prefix of the default notification channel, followed by the database number. */
  public static final String NOTIFICATION_CHANNEL_PREFIX = "_message_bus_";

  static final String GLOBAL_ID_KEY = "__mb_global_id_n";
  static final String GLOBAL_BACKLOG_KEY = "__mb_global_backlog_n";
  static final String BACKLOG_ID_KEY_PREFIX = "__mb_backlog_id_n_";
  static final String BACKLOG_KEY_PREFIX = "__mb_backlog_n_";
  static final String UNSUBSCRIBE_TOKEN = "$$UNSUBSCRIBE";

  private static final Logger LOG = LoggerFactory.getLogger(RedisBackend.class);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();
  private static final String SCRIPT = loadScript();
  private static final String SCRIPT_SHA = sha1Hex(SCRIPT);

  private final Retention retention;
  private final RedisURI uri;
  private final RedisClient suppliedClient;
  private final int maxInMemoryPublishBacklog;
  private final boolean queueInMemoryByDefault;
  private final Duration commandTimeout;
  private final Duration retryInterval;
  private final String configuredNotificationChannel;

  private final ReentrantLock lifecycle = new ReentrantLock();
  // guarded by lifecycle
  private RedisClient ownClient;
  private ClientResources ownResources;
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile String notificationChannel;
  private volatile boolean closed;

  private final CopyOnWriteArrayList<RedisSubscription> subscriptions =
      new CopyOnWriteArrayList<>();
  private final BackendStateTracker state = new BackendStateTracker();
  static final String COMMANDS = "commands";

  // The in-memory publish queue; guarded by its own monitor.
  private final ArrayDeque<QueuedPublish> queue = new ArrayDeque<>();
  private Thread flusher;

  private RedisBackend(Builder b) {
    this.retention = b.retention;
    this.suppliedClient = b.client;
    this.uri = b.uri != null ? b.uri : (b.client == null ? RedisURI.create(DEFAULT_URI) : null);
    this.maxInMemoryPublishBacklog = b.maxInMemoryPublishBacklog;
    this.queueInMemoryByDefault = b.queueInMemory;
    this.commandTimeout = b.commandTimeout;
    this.retryInterval = b.retryInterval;
    this.configuredNotificationChannel = b.notificationChannel;
    if (b.notificationChannel != null) {
      this.notificationChannel = b.notificationChannel;
    } else if (uri != null) {
      this.notificationChannel = NOTIFICATION_CHANNEL_PREFIX + uri.getDatabase();
    }
  }

  /**
   * Starts a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates a backend for a Redis URI with every other option at its default.
   *
   * @param uri a {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URI
   * @return the backend (connections open lazily)
   * @throws IllegalArgumentException if the URI cannot be parsed
   */
  public static RedisBackend create(String uri) {
    return builder().uri(uri).build();
  }

  // ---------------------------------------------------------------- connections

  /**
   * Returns the command connection, creating it (and the client) when needed. Connecting happens
   * outside the lock, so {@link #close()} never waits for a connection attempt.
   */
  StatefulRedisConnection<String, String> connection() {
    StatefulRedisConnection<String, String> c = connection;
    if (c != null) {
      return c;
    }
    RedisClient client;
    lifecycle.lock();
    try {
      requireOpen();
      if (connection != null) {
        return connection;
      }
      client = client();
    } finally {
      lifecycle.unlock();
    }
    StatefulRedisConnection<String, String> fresh;
    try {
      fresh =
          uri != null ? client.connect(StringCodec.UTF8, uri) : client.connect(StringCodec.UTF8);
    } catch (RedisException e) {
      BackendException failure =
          new BackendException("cannot connect to Redis: " + e.getMessage(), e);
      if (!closed) {
        state.down(COMMANDS, failure);
      }
      throw failure;
    }
    fresh.setTimeout(commandTimeout);
    fresh.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisConnected(RedisChannelHandler<?, ?> ch, SocketAddress address) {
            state.up(COMMANDS);
          }

          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> ch) {
            if (!closed) {
              state.down(COMMANDS, new BackendException("lost the connection to Redis"));
            }
          }
        });
    String channel = notificationChannel == null ? databaseChannel(fresh) : null;
    StatefulRedisConnection<String, String> extra = null;
    lifecycle.lock();
    try {
      if (closed || connection != null) {
        extra = fresh; // closed, or another thread connected first
      } else {
        if (notificationChannel == null) {
          notificationChannel = channel;
        }
        connection = fresh;
      }
    } finally {
      lifecycle.unlock();
    }
    if (extra != null) {
      extra.close();
      requireOpen();
      return connection();
    }
    state.up(COMMANDS);
    return fresh;
  }

  /** Throws {@link BusClosedException} once {@link #close()} ran and until {@link #reconnect()}. */
  private void requireOpen() {
    if (closed) {
      throw new BusClosedException("the Redis backend is closed; call reconnect() first");
    }
  }

  /** Opens a new pub/sub connection for a subscription. */
  StatefulRedisPubSubConnection<String, String> connectPubSub() {
    RedisClient client;
    lifecycle.lock();
    try {
      requireOpen();
      client = client();
    } finally {
      lifecycle.unlock();
    }
    StatefulRedisPubSubConnection<String, String> c =
        uri != null
            ? client.connectPubSub(StringCodec.UTF8, uri)
            : client.connectPubSub(StringCodec.UTF8);
    c.setTimeout(commandTimeout);
    return c;
  }

  // guarded by lifecycle
  private RedisClient client() {
    if (suppliedClient != null) {
      return suppliedClient;
    }
    if (ownClient == null) {
      long retryMillis = Math.max(1, retryInterval.toMillis());
      ownResources =
          DefaultClientResources.builder()
              .ioThreadPoolSize(2)
              .computationThreadPoolSize(2)
              .reconnectDelay(
                  Delay.exponential(
                      Duration.ofMillis(Math.min(10, retryMillis)),
                      Duration.ofMillis(retryMillis),
                      2,
                      TimeUnit.MILLISECONDS))
              .build();
      ownClient = RedisClient.create(ownResources);
      ownClient.setOptions(
          ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
              .socketOptions(
                  SocketOptions.builder().connectTimeout(commandTimeout).keepAlive(true).build())
              .build());
    }
    return ownClient;
  }

  /** The default notification channel of a connection of a user-supplied client (without URI). */
  private static String databaseChannel(StatefulRedisConnection<String, String> c) {
    return NOTIFICATION_CHANNEL_PREFIX + databaseOf(c);
  }

  /** The database a connection of a user-supplied client (without URI) is on. */
  private static int databaseOf(StatefulRedisConnection<String, String> c) {
    try {
      String info = c.sync().clientInfo();
      for (String part : info.trim().split(" ")) {
        if (part.startsWith("db=")) {
          return Integer.parseInt(part.substring(3));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot tell the Redis database of the supplied client ({}); using notification channel"
              + " {}0; set notificationChannel to choose",
          e.getMessage(),
          NOTIFICATION_CHANNEL_PREFIX);
    }
    return 0;
  }

  RedisCommands<String, String> sync() {
    return connection().sync();
  }

  /**
   * Returns the Redis pub/sub channel the publish script announces on and subscriptions listen to.
   *
   * @return the channel name, {@code _message_bus_<db>} unless configured
   * @throws BackendException if it depends on a supplied client's database and Redis is unreachable
   */
  public String notificationChannel() {
    String c = notificationChannel;
    if (c == null) {
      connection();
      c = notificationChannel;
    }
    return c;
  }

  Duration retryInterval() {
    return retryInterval;
  }

  Duration commandTimeout() {
    return commandTimeout;
  }

  // ---------------------------------------------------------------- publishing

  @Override
  public long publish(String channel, String payload, BackendPublishOptions options) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    requireOpen();
    boolean mayQueue =
        options.queueInMemory() != null ? options.queueInMemory() : queueInMemoryByDefault;
    if (mayQueue) {
      synchronized (queue) {
        if (!queue.isEmpty()) {
          // Keep order behind what is already waiting.
          return enqueue(new QueuedPublish(channel, payload, options), null);
        }
      }
    }
    try {
      return publishNow(channel, payload, options);
    } catch (BusClosedException e) {
      throw e;
    } catch (RuntimeException e) {
      if (mayQueue && isTransient(e)) {
        synchronized (queue) {
          return enqueue(new QueuedPublish(channel, payload, options), e);
        }
      }
      if (e instanceof RedisCommandInterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new BackendException("publish to " + channel + " failed: " + e.getMessage(), e);
    }
  }

  /** Runs the publish script; throws Lettuce's exception on failure. */
  long publishNow(String channel, String payload, BackendPublishOptions options) {
    String[] keys = {
      GLOBAL_ID_KEY,
      BACKLOG_ID_KEY_PREFIX + channel,
      BACKLOG_KEY_PREFIX + channel,
      GLOBAL_BACKLOG_KEY,
      notificationChannel()
    };
    String[] args = {
      BackendMessage.encodeWithoutIds(channel, payload),
      Long.toString(Math.max(1, options.effectiveMaxBacklogAge(retention).toMillis())),
      Integer.toString(options.effectiveMaxBacklogSize(retention)),
      Integer.toString(retention.maxGlobalBacklogSize()),
      channel,
      Integer.toString(retention.clearEvery())
    };
    RedisCommands<String, String> redis = connection().sync();
    Long id;
    try {
      try {
        id = redis.evalsha(SCRIPT_SHA, ScriptOutputType.INTEGER, keys, args);
      } catch (RedisNoScriptException e) {
        id = redis.eval(SCRIPT, ScriptOutputType.INTEGER, keys, args);
      }
    } catch (RuntimeException e) {
      noteFailure(e);
      throw e;
    }
    return answered(id);
  }

  // caller holds the queue monitor
  private long enqueue(QueuedPublish p, RuntimeException cause) {
    if (queue.size() >= maxInMemoryPublishBacklog) {
      throw new PublishQueueFullException(
          "Redis does not accept writes"
              + (cause == null ? "" : " (" + cause.getMessage() + ")")
              + " and the in-memory publish queue is full ("
              + maxInMemoryPublishBacklog
              + " messages): the message to "
              + p.channel
              + " was not published",
          cause);
    }
    if (queue.isEmpty() && cause != null) {
      LOG.warn(
          "Redis does not accept writes ({}); queueing publishes in memory until it does",
          cause.getMessage());
    }
    queue.addLast(p);
    startFlusher();
    return QUEUED;
  }

  // caller holds the queue monitor
  private void startFlusher() {
    if (flusher != null || queue.isEmpty()) {
      return;
    }
    Thread t =
        new Thread(this::flushLoop, "message-bus-redis-flusher-" + THREAD_IDS.incrementAndGet());
    t.setDaemon(true);
    flusher = t;
    t.start();
  }

  /** Writes the queue in order, retrying every retryInterval while Redis refuses. */
  private void flushLoop() {
    int flushed = 0;
    try {
      while (true) {
        QueuedPublish head;
        synchronized (queue) {
          head = queue.peekFirst();
          if (head == null || flusher != Thread.currentThread()) {
            if (flusher == Thread.currentThread()) {
              flusher = null;
            }
            if (flushed > 0) {
              LOG.info("flushed {} queued publishes to Redis", flushed);
            }
            return;
          }
        }
        try {
          publishNow(head.channel, head.payload, head.options);
          synchronized (queue) {
            queue.pollFirst();
          }
          flushed++;
        } catch (RuntimeException e) {
          if (e instanceof RedisCommandInterruptedException
              || e instanceof BusClosedException
              || Thread.currentThread().isInterrupted()) {
            // close() stops us: keep the message queued for a later reconnect().
            throw new InterruptedException("flusher stopped");
          }
          if (isTransient(e)) {
            LOG.debug("Redis still refuses writes ({}), retrying", e.getMessage());
            Thread.sleep(retryInterval.toMillis());
          } else {
            synchronized (queue) {
              queue.pollFirst();
            }
            LOG.error(
                "dropping undeliverable queued message to {}: Redis rejected it", head.channel, e);
          }
        }
      }
    } catch (InterruptedException e) {
      synchronized (queue) {
        if (flusher == Thread.currentThread()) {
          flusher = null;
        }
      }
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Returns how many publishes wait in memory for Redis to accept writes.
   *
   * @return the queue length
   */
  public int queuedPublishes() {
    synchronized (queue) {
      return queue.size();
    }
  }

  /** True for a failure that may pass: read-only replica, loading, unreachable, timed out. */
  static boolean isTransient(Throwable e) {
    if (e instanceof RedisCommandInterruptedException) {
      return false;
    }
    if (e instanceof RedisCommandExecutionException) {
      String m = String.valueOf(e.getMessage());
      return m.startsWith("READONLY")
          || m.startsWith("LOADING")
          || m.startsWith("MASTERDOWN")
          || m.startsWith("NOREPLICAS")
          || m.startsWith("TRYAGAIN")
          || m.startsWith("BUSY")
          || m.startsWith("OOM");
    }
    return e instanceof RedisException || e instanceof BackendException;
  }

  /** Notes a command the store answered (even with an error reply) for the connection state. */
  private <T> T answered(T result) {
    state.up(COMMANDS);
    return result;
  }

  /**
   * Notes a failed command for the connection state: down when it failed for want of a connection
   * or timed out; up when Redis answered with an error of its own (it is reachable).
   */
  void noteFailure(RuntimeException e) {
    if (closed
        || e instanceof BusClosedException
        || e instanceof RedisCommandInterruptedException) {
      return;
    }
    if (e instanceof RedisCommandExecutionException) {
      state.up(COMMANDS);
    } else if (e instanceof RedisException || e instanceof BackendException) {
      // BackendException: our own timeout of a pipelined read, or a refused connection (reported)
      state.down(COMMANDS, e);
    }
  }

  private BackendException asBackendException(String what, RuntimeException e) {
    if (e instanceof BusClosedException closedError) {
      throw closedError;
    }
    noteFailure(e);
    if (e instanceof BackendException be) {
      return be;
    }
    if (e instanceof RedisCommandInterruptedException) {
      Thread.currentThread().interrupt();
    }
    return new BackendException(what + ": " + e.getMessage(), e);
  }

  private record QueuedPublish(String channel, String payload, BackendPublishOptions options) {}

  // ---------------------------------------------------------------- reads

  @Override
  public long lastId(String channel) {
    Objects.requireNonNull(channel, "channel");
    try {
      return answered(parseId(sync().get(BACKLOG_ID_KEY_PREFIX + channel)));
    } catch (RuntimeException e) {
      throw asBackendException("reading the last id of " + channel + " failed", e);
    }
  }

  @Override
  public long[] lastIds(List<String> channels) {
    if (channels.isEmpty()) {
      return new long[0];
    }
    String[] keys = new String[channels.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = BACKLOG_ID_KEY_PREFIX + Objects.requireNonNull(channels.get(i), "channel");
    }
    try {
      List<KeyValue<String, String>> values = sync().mget(keys);
      long[] ids = new long[keys.length];
      for (int i = 0; i < ids.length; i++) {
        KeyValue<String, String> kv = values.get(i);
        ids[i] = kv.hasValue() ? parseId(kv.getValue()) : 0;
      }
      return answered(ids);
    } catch (RuntimeException e) {
      throw asBackendException("reading last ids failed", e);
    }
  }

  @Override
  public long lastGlobalId() {
    try {
      return answered(parseId(sync().get(GLOBAL_ID_KEY)));
    } catch (RuntimeException e) {
      throw asBackendException("reading the last global id failed", e);
    }
  }

  private static long parseId(String value) {
    return value == null ? 0 : Long.parseLong(value.trim());
  }

  @Override
  public List<BackendMessage> backlog(String channel, long lastId) {
    Objects.requireNonNull(channel, "channel");
    try {
      return answered(
          decodeAll(
              sync()
                  .zrangebyscore(
                      BACKLOG_KEY_PREFIX + channel,
                      Range.from(
                          Range.Boundary.including(lastId + 1), Range.Boundary.unbounded()))));
    } catch (RuntimeException e) {
      throw asBackendException("reading the backlog of " + channel + " failed", e);
    }
  }

  @Override
  public BackendMessage getMessage(String channel, long messageId) {
    Objects.requireNonNull(channel, "channel");
    try {
      List<String> found =
          sync().zrangebyscore(BACKLOG_KEY_PREFIX + channel, Range.create(messageId, messageId));
      return answered(found.isEmpty() ? null : BackendMessage.decode(found.get(0)));
    } catch (RuntimeException e) {
      throw asBackendException("reading message " + messageId + " of " + channel + " failed", e);
    }
  }

  @Override
  public List<BackendMessage> globalBacklog(long lastGlobalId) {
    List<BackendMessage> result = new ArrayList<>();
    for (GlobalEntry e : globalEntries(lastGlobalId)) {
      if (e.message() != null) {
        result.add(e.message());
      }
    }
    return result;
  }

  /**
   * One entry of the global backlog.
   *
   * @param globalId its score
   * @param message the channel message it points to, or null when that was trimmed or expired
   */
  record GlobalEntry(long globalId, BackendMessage message) {}

  /**
   * Reads the global backlog after a global id and resolves each entry to its channel message. Ruby
   * reads one message per round trip; this sends one range read per channel, pipelined.
   */
  List<GlobalEntry> globalEntries(long lastGlobalId) {
    try {
      StatefulRedisConnection<String, String> c = connection();
      List<ScoredValue<String>> entries =
          c.sync()
              .zrangebyscoreWithScores(
                  GLOBAL_BACKLOG_KEY,
                  Range.from(
                      Range.Boundary.including(lastGlobalId + 1), Range.Boundary.unbounded()));
      if (entries.isEmpty()) {
        return answered(List.of());
      }
      // Which message ids to fetch, per channel.
      Map<String, long[]> ranges = new HashMap<>();
      long[] gids = new long[entries.size()];
      long[] mids = new long[entries.size()];
      String[] channels = new String[entries.size()];
      for (int i = 0; i < gids.length; i++) {
        ScoredValue<String> sv = entries.get(i);
        String member = sv.getValue();
        int pipe = member.indexOf('|');
        gids[i] = (long) sv.getScore();
        mids[i] = pipe < 0 ? 0 : Long.parseLong(member.substring(0, pipe));
        channels[i] = pipe < 0 ? member : member.substring(pipe + 1);
        long mid = mids[i];
        ranges.merge(
            channels[i],
            new long[] {mid, mid},
            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
      }
      Map<String, RedisFuture<List<String>>> futures = new HashMap<>();
      for (Map.Entry<String, long[]> r : ranges.entrySet()) {
        futures.put(
            r.getKey(),
            c.async()
                .zrangebyscore(
                    BACKLOG_KEY_PREFIX + r.getKey(),
                    Range.create(r.getValue()[0], r.getValue()[1])));
      }
      Map<String, Map<Long, BackendMessage>> byChannel = new HashMap<>();
      for (Map.Entry<String, RedisFuture<List<String>>> f : futures.entrySet()) {
        Map<Long, BackendMessage> messages = new HashMap<>();
        for (BackendMessage m : decodeAll(await(f.getValue()))) {
          messages.put(m.messageId(), m);
        }
        byChannel.put(f.getKey(), messages);
      }
      List<GlobalEntry> result = new ArrayList<>(gids.length);
      for (int i = 0; i < gids.length; i++) {
        BackendMessage m = byChannel.get(channels[i]).get(mids[i]);
        // A channel that expired and restarted reuses message ids: only the same global id counts.
        result.add(new GlobalEntry(gids[i], m != null && m.globalId() == gids[i] ? m : null));
      }
      return answered(result);
    } catch (RuntimeException e) {
      throw asBackendException("reading the global backlog failed", e);
    }
  }

  private <T> T await(RedisFuture<T> f) {
    try {
      return f.get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while reading from Redis", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException re
          ? re
          : new BackendException("Redis read failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new BackendException("Redis read timed out after " + commandTimeout, e);
    }
  }

  private static List<BackendMessage> decodeAll(List<String> encoded) {
    List<BackendMessage> result = new ArrayList<>(encoded.size());
    for (String s : encoded) {
      try {
        result.add(BackendMessage.decode(s));
      } catch (IllegalArgumentException e) {
        LOG.warn("skipping an unreadable backlog entry: {}", e.getMessage());
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- subscriptions

  @Override
  public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
    Objects.requireNonNull(listener, "listener");
    RedisSubscription sub =
        new RedisSubscription(
            this,
            lastGlobalId,
            listener,
            "message-bus-redis-subscriber-" + THREAD_IDS.incrementAndGet());
    lifecycle.lock();
    try {
      requireOpen(); // checked with the registration, so close() closes every subscription
      subscriptions.add(sub);
    } finally {
      lifecycle.unlock();
    }
    sub.start();
    sub.awaitFirstAttempt(commandTimeout.multipliedBy(2));
    return sub;
  }

  void removed(RedisSubscription sub) {
    subscriptions.remove(sub);
  }

  BackendStateTracker state() {
    return state;
  }

  @Override
  public void stateListener(BackendStateListener listener) {
    state.listener(listener);
  }

  // ---------------------------------------------------------------- maintenance

  /** Deletes every {@code __mb_*} key of the database (SCAN, not KEYS). */
  @Override
  public void reset() {
    deleteMatching("__mb_*");
  }

  /**
   * Deletes the global backlog and every channel backlog, keeping the id counters. (Ruby's glob
   * only matches the global backlog, SPEC §3.2.5; the contract asks for every backlog.)
   */
  @Override
  public void expireAllBacklogs() {
    deleteMatching(BACKLOG_KEY_PREFIX + "*");
    deleteMatching(GLOBAL_BACKLOG_KEY);
  }

  private void deleteMatching(String pattern) {
    try {
      RedisCommands<String, String> redis = sync();
      ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        var page = redis.scan(cursor, args);
        if (!page.getKeys().isEmpty()) {
          redis.del(page.getKeys().toArray(new String[0]));
        }
        cursor = page;
      } while (!cursor.isFinished());
      state.up(COMMANDS);
    } catch (RuntimeException e) {
      throw asBackendException("deleting " + pattern + " failed", e);
    }
  }

  @Override
  public Retention retention() {
    return retention;
  }

  /**
   * Returns the configured in-memory publish queue bound.
   *
   * @return the bound
   */
  public int maxInMemoryPublishBacklog() {
    return maxInMemoryPublishBacklog;
  }

  @Override
  public void reconnect() {
    StatefulRedisConnection<String, String> old;
    lifecycle.lock();
    try {
      old = connection;
      connection = null;
      closed = false;
    } finally {
      lifecycle.unlock();
    }
    if (old != null) {
      old.close();
    }
    synchronized (queue) {
      startFlusher();
    }
  }

  /**
   * Closes every subscription, stops the flusher (keeping what is queued), and closes the
   * connections and the client this backend created. Idempotent. Afterwards every use throws {@link
   * BusClosedException} until {@link #reconnect()}.
   */
  @Override
  public void close() {
    StatefulRedisConnection<String, String> c;
    RedisClient client;
    ClientResources resources;
    lifecycle.lock();
    try {
      // First, so that nothing opens a connection or registers a subscription from now on.
      closed = true;
      c = connection;
      connection = null;
      client = ownClient;
      resources = ownResources;
      ownClient = null;
      ownResources = null;
      if (configuredNotificationChannel == null && uri == null) {
        notificationChannel = null;
      }
    } finally {
      lifecycle.unlock();
    }
    for (RedisSubscription s : subscriptions) {
      s.close();
    }
    Thread f;
    synchronized (queue) {
      f = flusher;
      flusher = null;
      if (!queue.isEmpty()) {
        LOG.error(
            "closing the Redis backend with {} publishes still queued in memory; they are kept"
                + " and flushed if the backend is reconnected",
            queue.size());
      }
    }
    if (f != null) {
      f.interrupt();
    }
    if (c != null) {
      c.close();
    }
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (resources != null) {
      try {
        // Wait for Lettuce's threads, so none outlives close().
        resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.debug("Lettuce resources did not shut down cleanly", e);
      }
    }
  }

  @Override
  public String toString() {
    return "RedisBackend{"
        + (uri != null ? uri.toString() : "supplied client")
        + ", channel="
        + notificationChannel
        + '}';
  }

  // ---------------------------------------------------------------- script

  private static String loadScript() {
    try (InputStream in = RedisBackend.class.getResourceAsStream("publish.lua")) {
      if (in == null) {
        throw new IllegalStateException("publish.lua is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read publish.lua", e);
    }
  }

  private static String sha1Hex(String s) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-1")
              .digest(s.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(40);
      for (byte b : digest) {
        sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return sb.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String script() {
    return SCRIPT;
  }

  static String scriptSha() {
    return SCRIPT_SHA;
  }

  // ---------------------------------------------------------------- builder

  /**
   * Builds a {@link RedisBackend}; each setter documents its default. Not thread-safe. Nothing
   * connects until the backend is first used.
   */
  public static final class Builder {
    private RedisURI uri;
    private RedisClient client;
    private Retention retention = Retention.DEFAULTS;
    private int maxInMemoryPublishBacklog = DEFAULT_MAX_IN_MEMORY_PUBLISH_BACKLOG;
    private boolean queueInMemory = true;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration retryInterval = DEFAULT_RETRY_INTERVAL;
    private String notificationChannel;

    private Builder() {}

    /**
     * Sets the Redis to use, as a URI: {@code redis://[user:password@]host[:port][/database]},
     * {@code rediss://...} for TLS, or {@code
     * redis-sentinel://[password@]host[:port][,host2[:port2]][/database]#masterName}. Default
     * {@value RedisBackend#DEFAULT_URI}. With a {@linkplain #client(RedisClient) supplied client},
     * the client connects to this URI instead of its default one.
     *
     * @param uri the URI
     * @return this builder
     * @throws IllegalArgumentException if the URI cannot be parsed
     */
    public Builder uri(String uri) {
      Objects.requireNonNull(uri, "uri");
      try {
        this.uri = RedisURI.create(uri);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "uri is not a valid Redis URI (" + e.getMessage() + "): " + redact(uri), e);
      }
      return this;
    }

    private static String redact(String uri) {
      return uri.replaceAll("//[^@/]*@", "//***@");
    }

    /**
     * Sets the Redis to use as a Lettuce {@link RedisURI}. Default {@value
     * RedisBackend#DEFAULT_URI}.
     *
     * @param uri the URI
     * @return this builder
     */
    public Builder uri(RedisURI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /**
     * Uses a Lettuce client of the application's instead of creating one. The backend opens its
     * connections with it (to {@link #uri(String)} if one is set, else to the client's default URI)
     * and closes only those connections: the client stays open. Default: none, the backend creates
     * (and shuts down) its own client with reconnect delays capped at {@link #retryInterval} and
     * commands rejected at once while disconnected. A supplied client keeps its own options; with
     * Lettuce's default {@code DisconnectedBehavior}, publishes wait for the reconnection (up to
     * the command timeout) instead of queueing at once.
     *
     * @param client the client
     * @return this builder
     */
    public Builder client(RedisClient client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /**
     * Sets the backlog limits. Default {@link Retention#DEFAULTS} (1,000 per channel, 2,000 global,
     * 7 days, trim every publish). Every process sharing the database must use the same values.
     *
     * @param retention the limits
     * @return this builder
     */
    public Builder retention(Retention retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * Sets how many publishes may wait in memory while Redis refuses writes. Default {@value
     * RedisBackend#DEFAULT_MAX_IN_MEMORY_PUBLISH_BACKLOG}. Beyond it a publish throws {@link
     * PublishQueueFullException}.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code max < 1}
     */
    public Builder maxInMemoryPublishBacklog(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxInMemoryPublishBacklog must be at least 1: " + max);
      }
      this.maxInMemoryPublishBacklog = max;
      return this;
    }

    /**
     * Sets whether a publish Redis refuses (read-only, unreachable) is queued in memory when the
     * publish itself does not say ({@code PublishOptions.queueInMemory}). Default true (as Ruby).
     * With false such a publish throws {@link BackendException}.
     *
     * @param queue whether to queue
     * @return this builder
     */
    public Builder queueInMemory(boolean queue) {
      this.queueInMemory = queue;
      return this;
    }

    /**
     * Sets how long a Redis command may take before it fails (and how long connecting may take with
     * the backend's own client). Default 5 seconds.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public Builder commandTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "commandTimeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("commandTimeout must be positive: " + timeout);
      }
      this.commandTimeout = timeout;
      return this;
    }

    /**
     * Sets how long to wait between attempts while Redis is unreachable or read-only: before a
     * subscription retries, before the publish queue retries, and the longest reconnect delay of
     * the backend's own client. Default 1 second.
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
     * Sets the Redis pub/sub channel of notifications. Default {@code _message_bus_<database>} with
     * the database of the URI, which is what Ruby uses when configured with {@code db:}. A Ruby
     * process configured with only a {@code url:} announces on {@code _message_bus_0} whatever its
     * database: set this to {@code "_message_bus_0"} to share a non-zero database with it.
     *
     * @param channel a non-empty channel name
     * @return this builder
     * @throws IllegalArgumentException if {@code channel} is empty
     */
    public Builder notificationChannel(String channel) {
      Objects.requireNonNull(channel, "notificationChannel");
      if (channel.isEmpty()) {
        throw new IllegalArgumentException("notificationChannel must not be empty");
      }
      this.notificationChannel = channel;
      return this;
    }

    /**
     * Builds the backend. Nothing connects until it is first used.
     *
     * @return the backend
     */
    public RedisBackend build() {
      return new RedisBackend(this);
    }
  }
}
