// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;
import org.messagebus.BackendStateListener;
import org.messagebus.BusClosedException;
import org.messagebus.observe.BusObserver;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendStateTracker;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.MessageIdScheme;
import org.messagebus.spi.OptionChecks;
import org.messagebus.spi.Retention;

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
 * <p><b>Parts.</b> This class is the facade; the work is done by package-private parts, one per
 * seam: {@link RedisConnections} (client, command and pub/sub connections, connection state),
 * {@link PublishScript} (the atomic publish), {@link PublishQueue} (the in-memory queue and its
 * flusher thread), {@link RedisReads} (point reads, maintenance), {@link GlobalBacklogReader} (the
 * global backlog joined to the channel backlogs), {@link RedisSubscription} (one firehose
 * subscription), {@link RedisKeys} (key names) and {@link RedisOptions} (what the builder froze).
 * The class stays a little over 500 lines because the public {@link Builder}, one documented setter
 * per option, must stay nested for source compatibility; the facade itself only delegates.
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
 * <p><b>Lost replies.</b> When the connection is lost after the publish script was sent (Redis
 * stopped, network cut) or the command times out, Redis may have executed it with only the reply
 * lost. Such a publish also returns {@link Backend#QUEUED} and is queued, marked uncertain with the
 * highest global id this backend had seen before sending it (from its subscriptions, or {@link
 * #lastGlobalId()}). Before writing it, the flusher looks in the global backlog above that id for a
 * message on the same channel with the same payload: if there is one, Redis had stored it, and it
 * is not written again (it is delivered once, by the subscriptions' catch-up). The stored format is
 * unchanged (SPEC §3.2). <b>Residual risk:</b> an identical payload published to the same channel
 * by someone else in that window (between the last global id seen and the check) is taken for this
 * one, which is then not written; the window is narrow while a subscription is open, but without
 * one the bound may be old (0 if no global id was ever seen). If Redis trimmed or expired the
 * stored message before the check, it is written again (delivered twice).
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

  private final Retention retention;
  private final int maxInMemoryPublishBacklog;
  private final boolean queueInMemoryByDefault;
  private final RedisConnections connections;
  private final RedisReads reads;
  private final GlobalBacklogReader globalBacklog;
  private final PublishQueue queue;
  // The highest global id seen (subscriptions, lastGlobalId()): a bound for uncertain publishes.
  private volatile long globalIdSeen;
  // Test seam around the publish script (package-private); null: the script runs directly, with no
  // lambda allocated per publish.
  private volatile @Nullable PublishSeam publishSeam;
  private volatile BusObserver observer = BusObserver.NOOP;
  private final CopyOnWriteArrayList<RedisSubscription> subscriptions =
      new CopyOnWriteArrayList<>();

  private RedisBackend(RedisOptions options) {
    this.retention = options.retention();
    this.maxInMemoryPublishBacklog = options.maxInMemoryPublishBacklog();
    this.queueInMemoryByDefault = options.queueInMemory();
    this.connections = new RedisConnections(options);
    this.reads = new RedisReads(connections);
    this.globalBacklog = new GlobalBacklogReader(connections);
    this.queue =
        new PublishQueue(
            options.maxInMemoryPublishBacklog(),
            options.retryInterval(),
            p -> publishNow(p.channel(), p.payload(), p.options()),
            new PublishQueue.StoredCheck() {
              @Override
              public @Nullable String find(PublishQueue.Queued p, Set<String> taken) {
                return findStored(p, taken);
              }

              @Override
              public long globalIdBound() {
                return globalIdSeen;
              }
            },
            () -> observer.publishDropped());
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

  /**
   * Returns the Redis pub/sub channel the publish script announces on and subscriptions listen to.
   *
   * @return the channel name, {@code _message_bus_<db>} unless configured
   * @throws BackendException if it depends on a supplied client's database and Redis is unreachable
   */
  public String notificationChannel() {
    return connections.notificationChannel();
  }

  // ---------------------------------------------------------------- publishing

  @Override
  public long publish(String channel, String payload, BackendPublishOptions options) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    connections.requireOpen();
    boolean mayQueue =
        options.queueInMemory() != null ? options.queueInMemory() : queueInMemoryByDefault;
    PublishQueue.Queued queued = new PublishQueue.Queued(channel, payload, options);
    if (mayQueue && queue.joinIfWaiting(queued)) {
      return QUEUED; // keeps its order behind what is already waiting
    }
    long bound = globalIdSeen; // read before sending: at most Redis's global id before the script
    try {
      return publishNow(channel, payload, options);
    } catch (BusClosedException e) {
      throw e;
    } catch (RuntimeException e) {
      if (mayQueue && PublishQueue.isTransient(e)) {
        // The reply may be lost with the script executed: the flusher checks before writing.
        queue.add(PublishQueue.isAmbiguous(e) ? queued.uncertainAfter(bound) : queued, e);
        return QUEUED;
      }
      if (e instanceof RedisCommandInterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new BackendException("publish to " + channel + " failed: " + e.getMessage(), e);
    }
  }

  /** Runs the publish script; throws Lettuce's exception on failure. */
  long publishNow(String channel, String payload, BackendPublishOptions options) {
    String notifications = connections.notificationChannel();
    long id;
    try {
      PublishSeam seam = publishSeam;
      id =
          seam == null
              ? PublishScript.run(
                  connections.sync(), notifications, retention, channel, payload, options)
              : seam.publish(
                  () ->
                      PublishScript.run(
                          connections.sync(), notifications, retention, channel, payload, options));
    } catch (RuntimeException e) {
      connections.noteFailure(e);
      throw e;
    }
    return connections.answered(id);
  }

  /** Runs the publish script (a seam for tests that lose replies). */
  @FunctionalInterface
  interface PublishSeam {
    long publish(LongSupplier script);
  }

  /** Replaces how the publish script is run (tests only). */
  void publishSeam(PublishSeam seam) {
    this.publishSeam = Objects.requireNonNull(seam, "seam");
  }

  /** Raises the bound used for uncertain publishes (a subscription delivered this global id). */
  void sawGlobalId(long globalId) {
    if (globalId > globalIdSeen) {
      globalIdSeen = globalId; // racy max: a lower value written last only widens the window
    }
  }

  /**
   * The stored message an uncertain publish became, if any: the first global backlog entry above
   * its bound on its channel with its payload, not yet taken. Throws {@link BackendException} when
   * Redis cannot be read.
   */
  @Nullable String findStored(PublishQueue.Queued p, Set<String> taken) {
    for (GlobalBacklogReader.GlobalEntry e : globalBacklog.entries(p.uncertainAfter())) {
      BackendMessage m = e.message();
      if (m != null && m.channel().equals(p.channel()) && m.payload().equals(p.payload())) {
        String key = m.messageId() + "|" + m.channel();
        if (!taken.contains(key)) {
          return key;
        }
      }
    }
    return null;
  }

  @Override
  public void observer(BusObserver observer) {
    this.observer = observer;
  }

  /** Whom to tell about catch-ups and dropped publishes (the bus's observers, or none). */
  BusObserver observer() {
    return observer;
  }

  /**
   * Returns how many publishes wait in memory for Redis to accept writes.
   *
   * @return the queue length
   */
  @Override
  public int queuedPublishes() {
    return queue.size();
  }

  // ---------------------------------------------------------------- reads

  @Override
  public long lastId(String channel) {
    return reads.lastId(channel);
  }

  @Override
  public long[] lastIds(List<String> channels) {
    return reads.lastIds(channels);
  }

  @Override
  public long lastGlobalId() {
    long id = reads.lastGlobalId();
    globalIdSeen = id; // Redis's counter now (it may have gone back after a flush)
    return id;
  }

  @Override
  public List<BackendMessage> backlog(String channel, long lastId) {
    return reads.backlog(channel, lastId);
  }

  @Override
  public @Nullable BackendMessage getMessage(String channel, long messageId) {
    return reads.getMessage(channel, messageId);
  }

  @Override
  public List<BackendMessage> globalBacklog(long lastGlobalId) {
    return globalBacklog.messages(lastGlobalId);
  }

  // ---------------------------------------------------------------- subscriptions

  @Override
  public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
    Objects.requireNonNull(listener, "listener");
    RedisSubscription sub = new RedisSubscription(this, lastGlobalId, listener);
    // Registered while open, so close() closes every subscription.
    connections.whileOpen(() -> subscriptions.add(sub));
    sub.start();
    sub.awaitFirstAttempt(connections.commandTimeout().multipliedBy(2));
    return sub;
  }

  void removed(RedisSubscription sub) {
    subscriptions.remove(sub);
  }

  RedisConnections connections() {
    return connections;
  }

  GlobalBacklogReader globalBacklogReader() {
    return globalBacklog;
  }

  BackendStateTracker state() {
    return connections.state();
  }

  @Override
  public void stateListener(BackendStateListener listener) {
    connections.state().listener(listener);
  }

  // ---------------------------------------------------------------- maintenance

  /** Deletes every {@code __mb_*} key of the database (SCAN, not KEYS). */
  @Override
  public void reset() {
    reads.deleteMatching(RedisKeys.ALL_KEYS);
  }

  /**
   * Deletes the global backlog and every channel backlog, keeping the id counters. (Ruby's glob
   * only matches the global backlog, SPEC §3.2.5; the contract asks for every backlog.)
   */
  @Override
  public void expireAllBacklogs() {
    reads.deleteMatching(RedisKeys.BACKLOG_KEY_PREFIX + "*");
    reads.deleteMatching(RedisKeys.GLOBAL_BACKLOG_KEY);
  }

  /** {@link MessageIdScheme#PER_CHANNEL}: one counter per channel (SPEC §3.2.2). */
  @Override
  public MessageIdScheme messageIdScheme() {
    return MessageIdScheme.PER_CHANNEL;
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
    connections.reopen();
    queue.start();
  }

  /**
   * Closes every subscription, stops the flusher (keeping what is queued), and closes the
   * connections and the client this backend created. Idempotent. Afterwards every use throws {@link
   * BusClosedException} until {@link #reconnect()}.
   */
  @Override
  public void close() {
    Runnable release = connections.beginClose();
    for (RedisSubscription s : subscriptions) {
      s.close();
    }
    queue.stop();
    release.run();
  }

  @Override
  public String toString() {
    return "RedisBackend{"
        + connections.describe()
        + ", channel="
        + connections.knownNotificationChannel()
        + '}';
  }

  // ---------------------------------------------------------------- builder

  /**
   * Builds a {@link RedisBackend}; each setter documents its default. Not thread-safe. Nothing
   * connects until the backend is first used.
   */
  public static final class Builder {
    private @Nullable RedisURI uri;
    private @Nullable RedisClient client;
    private Retention retention = Retention.DEFAULTS;
    private int maxInMemoryPublishBacklog = DEFAULT_MAX_IN_MEMORY_PUBLISH_BACKLOG;
    private boolean queueInMemory = true;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration retryInterval = DEFAULT_RETRY_INTERVAL;
    private @Nullable String notificationChannel;

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
      this.maxInMemoryPublishBacklog = OptionChecks.atLeastOne("maxInMemoryPublishBacklog", max);
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
      this.commandTimeout = OptionChecks.positive("commandTimeout", timeout);
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
      this.retryInterval = OptionChecks.positive("retryInterval", interval);
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
      return new RedisBackend(
          new RedisOptions(
              uri,
              client,
              retention,
              maxInMemoryPublishBacklog,
              queueInMemory,
              commandTimeout,
              retryInterval,
              notificationChannel));
    }
  }
}
