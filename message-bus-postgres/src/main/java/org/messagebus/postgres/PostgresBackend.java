// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import javax.sql.DataSource;
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
import org.messagebus.spi.PreparedPublish;
import org.messagebus.spi.Retention;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL {@link Backend} (SPEC §3.3): one table and LISTEN/NOTIFY, shared with Ruby {@code
 * message_bus} processes on the same database. Message id equals global id.
 *
 * <pre>{@code
 * MessageBus bus = MessageBus.builder()
 *     .backend(PostgresBackend.builder().jdbcUrl("jdbc:postgresql://127.0.0.1/app?user=app").build())
 *     .build();
 * }</pre>
 *
 * <p><b>Connections.</b> Publishing and reading borrow a connection of the {@link DataSource} per
 * call (autocommit). Given a JDBC URL the backend builds a HikariCP pool on first use (so building
 * the backend never connects, and succeeds while the database is down) and closes it on {@link
 * #close()}; until the pool could be built, every use tries again and fails with a {@link
 * BackendException} naming the (password-redacted) URL. A {@code DataSource} handed in is never
 * closed. One more connection of that source, held from the first subscription until {@link
 * #close()}, runs {@code LISTEN}; when it is lost it is opened again after {@link
 * Builder#reconnectDelay reconnectDelay}. After {@code close()} every use throws {@link
 * BusClosedException} until {@link #reconnect()}.
 *
 * <p><b>State.</b> The backend reports its {@linkplain org.messagebus.BackendState connection
 * state} from two links: the queries (down when a connection cannot be had or is lost mid-call:
 * SQLState class {@code 08}, {@code 57P01}–{@code 57P03}, or the pool's connection timeout; up when
 * a call succeeds or fails with an error of the database's own) and the LISTEN connection (up while
 * it listens, down when it is lost). A host that silently drops packets (a network partition, a
 * failed-over server whose address went away) answers nothing and resets nothing: every call on
 * such a link waits at most {@link Builder#networkTimeout networkTimeout} (30 s by default) for the
 * network, then fails as a lost connection; the LISTEN connection, which otherwise only waits for
 * notifications, checks its link every half of that, so a dead one is noticed within 1.5 times the
 * timeout and re-opened.
 *
 * <p><b>No loss, no duplicate, in order.</b> Ids are taken at insert but transactions commit in any
 * order, so id 7 may be visible while id 6 is still in flight. No read hands out a row or a
 * position above the {@linkplain SettledHorizon settled horizon}: the highest id below which every
 * id is committed or known lost (rolled back, trimmed, or still open after {@link
 * Builder#lateCommitWindow lateCommitWindow}). A poller that moved its position to 7 therefore
 * still gets 6 when it commits, and subscriptions deliver in ascending id order, each message once:
 * after every (re)connect of the LISTEN connection, and whenever an announcement skips ids, a
 * subscription reads the rows after its position up to the horizon; an announcement of the next id
 * is delivered without a query. The price: a message waits for every lower id to settle, usually a
 * commit later; behind a transactional publish in a long transaction, until that transaction ends
 * (at most the window). Seeing whether such a transaction is still open uses {@code pg_locks} and
 * {@code pg_stat_activity}; a role that cannot see other roles' transaction starts (without {@code
 * pg_read_all_stats}) waits the whole window for a gap left by another role's rolled-back publish.
 *
 * <p><b>Large payloads.</b> An announcement is the stored form {@code id|id|channel|payload}; when
 * that reaches PostgreSQL's 8,000-byte NOTIFY limit the backend announces {@code id|id|channel|}
 * (empty payload) and subscribers read the row. Ruby processes cannot read such announcements: they
 * miss the message live (their HTTP clients still get it from the backlog); Ruby itself cannot
 * publish such a message at all.
 *
 * <p><b>Transactional publish.</b> {@link #publish(Connection, PreparedPublish)} stores and
 * announces a message on the caller's connection: inside a transaction, only its commit makes the
 * row visible and sends the notification (PostgreSQL delivers NOTIFY at commit).
 *
 * <p><b>Parts.</b> This class is the facade; the work is done by package-private parts, one per
 * seam: {@link PgConnections} (data source or pool, borrowed connections, connection state), {@link
 * PgSchema} (creating and re-creating the table), {@link PgQueries} and {@link Sql} (the
 * statements), {@link Listener} (the LISTEN connection), {@link PgSubscription} (one firehose
 * subscription) and {@link PgOptions} (what the builder froze). The class is over 500 lines only
 * because the public {@link Builder} (about 270 lines, one documented setter per option) must stay
 * nested for source compatibility; the facade itself only delegates.
 *
 * <p>Thread-safe. Failures of the store surface as {@link BackendException}.
 */
public final class PostgresBackend implements Backend {

  /** Default of {@link Builder#notificationChannel}: Ruby's {@code _message_bus_<db>} with db 0. */
  public static final String DEFAULT_NOTIFICATION_CHANNEL = "_message_bus_0";

  /** Default of {@link Builder#reconnectDelay}: one second, as in Ruby. */
  public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofSeconds(1);

  /** Default of {@link Builder#lateCommitWindow}: one minute. */
  public static final Duration DEFAULT_LATE_COMMIT_WINDOW = Duration.ofMinutes(1);

  /** Default of {@link Builder#maxPublishBatch}: 100 publishes per transaction. */
  public static final int DEFAULT_MAX_PUBLISH_BATCH = 100;

  /** Default of {@link Builder#networkTimeout}: 30 seconds. */
  public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(30);

  /** Default of {@link Builder#poolSize}: 10 connections. */
  public static final int DEFAULT_POOL_SIZE = 10;

  /** The announcement with which Ruby asks every listener to stop; never a message. */
  static final String UNSUBSCRIBE = "$$UNSUBSCRIBE";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresBackend.class);
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

  private final Retention retention;
  private final String notificationChannel;
  private final Duration reconnectDelay;
  private final Duration lateCommitWindow;
  private final Clock clock;
  final Sql sql;
  private final PgSchema schema;
  private final PgQueries queries;
  private final PgConnections connections;
  private final SettledHorizon horizon;
  private final PublishBatcher batcher;
  private volatile BusObserver observer = BusObserver.NOOP;
  private @Nullable Listener listener; // guarded by connections.lifecycle
  final List<PgSubscription> subscriptions = new CopyOnWriteArrayList<>();

  private PostgresBackend(PgOptions options) {
    this.retention = options.retention();
    this.notificationChannel = options.notificationChannel();
    this.reconnectDelay = options.reconnectDelay();
    this.lateCommitWindow = options.lateCommitWindow();
    this.clock = options.clock();
    this.sql = new Sql(options.schema(), options.tablePrefix());
    this.schema = new PgSchema(sql, options.createSchema(), options.schema());
    this.queries = new PgQueries(sql, retention, notificationChannel);
    this.connections = new PgConnections(options, schema);
    this.horizon = new SettledHorizon(sql, clock, lateCommitWindow);
    this.batcher = new PublishBatcher(connections, queries, horizon, options.maxPublishBatch());
  }

  /**
   * Starts a builder holding the defaults; give it a {@link Builder#dataSource} or a {@link
   * Builder#jdbcUrl}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- parts, for the package

  DataSource dataSource() {
    return connections.dataSource();
  }

  <T> T withConnection(String what, PgConnections.SqlWork<T> work) {
    return connections.withConnection(what, work);
  }

  /** Like {@link #withConnection}, for work without a result. */
  void runInConnection(String what, SqlAction action) {
    withConnection(
        what,
        c -> {
          action.run(c);
          return Boolean.TRUE;
        });
  }

  /** Work without a result on a borrowed connection. */
  @FunctionalInterface
  interface SqlAction {
    void run(Connection c) throws SQLException;
  }

  PgQueries queries() {
    return queries;
  }

  SettledHorizon horizon() {
    return horizon;
  }

  /** The trim floor of the group publishes (for tests). */
  long trimFloor() {
    return batcher.floor();
  }

  /** How many publishes wait for their group (for tests). */
  int publishesAwaitingGroup() {
    return batcher.queued();
  }

  BackendStateTracker state() {
    return connections.state();
  }

  static String redact(String url) {
    return PgConnections.redact(url);
  }

  String notificationChannel() {
    return notificationChannel;
  }

  Duration reconnectDelay() {
    return reconnectDelay;
  }

  Duration networkTimeout() {
    return connections.networkTimeout();
  }

  int limitNetworkWait(Connection c) throws SQLException {
    return connections.limitNetworkWait(c);
  }

  Duration lateCommitWindow() {
    return lateCommitWindow;
  }

  Clock clock() {
    return clock;
  }

  @Override
  public void stateListener(BackendStateListener listener) {
    connections.state().listener(listener);
  }

  @Override
  public void observer(BusObserver observer) {
    this.observer = observer;
  }

  /** Whom to tell about catch-ups and large payloads read (the bus's observers, or none). */
  BusObserver observer() {
    return observer;
  }

  // ---------------------------------------------------------------- publishing

  @Override
  public long publish(String channel, String payload, BackendPublishOptions options) {
    PgQueries.checkPublish(channel, payload, options);
    return batcher.publish(channel, payload, options);
  }

  /**
   * Stores and announces a message on the caller's connection, inside the caller's transaction if
   * one is open: the row is visible and the notification sent only when that transaction commits; a
   * rollback leaves no row and wakes no subscriber (the id it took stays unused). With autocommit
   * on this is an ordinary publish. Trimming runs on the same connection, inside the transaction.
   *
   * <pre>{@code
   * PreparedPublish p = bus.prepare("/orders", order, PublishOptions.NONE);
   * try (Connection c = dataSource.getConnection()) {
   *   c.setAutoCommit(false);
   *   insertOrder(c, order);
   *   postgresBackend.publish(c, p);
   *   c.commit();
   * }
   * }</pre>
   *
   * <p>The connection must reach the same database, and with an unqualified table name ({@link
   * Builder#schema} not set) the same {@code search_path}, as the backend's. The connection is
   * neither committed nor closed.
   *
   * @param connection the caller's connection
   * @param prepared the message, from {@link org.messagebus.MessageBus#prepare}
   * @return the global id (= message id) the message will have once committed
   * @throws IllegalArgumentException if the payload is shorter than two bytes
   * @throws BackendException if a statement failed; the caller's transaction is then aborted and
   *     must be rolled back
   */
  public long publish(Connection connection, PreparedPublish prepared) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(prepared, "prepared");
    PgQueries.checkPublish(prepared.channel(), prepared.payload(), prepared.options());
    connections.requireOpen();
    if (schema.pending()) {
      // Never run DDL inside the caller's transaction.
      runInConnection("creating the table", c -> {});
    }
    try {
      return queries.publish(
          connection, prepared.channel(), prepared.payload(), prepared.options());
    } catch (SQLException e) {
      throw PgConnections.failure("transactional publish to " + prepared.channel(), e);
    }
  }

  // ---------------------------------------------------------------- reading

  @Override
  public long lastId(String channel) {
    Objects.requireNonNull(channel, "channel");
    return withConnection(
        "lastId of " + channel, c -> queries.lastId(c, channel, horizon.refresh(c)));
  }

  @Override
  public long[] lastIds(List<String> channels) {
    Objects.requireNonNull(channels, "channels");
    long[] ids = new long[channels.size()];
    if (ids.length == 0) {
      return ids;
    }
    Map<String, Long> found =
        withConnection("lastIds", c -> queries.lastIds(c, channels, horizon.refresh(c)));
    for (int i = 0; i < ids.length; i++) {
      ids[i] = found.getOrDefault(channels.get(i), 0L);
    }
    return ids;
  }

  @Override
  public long lastGlobalId() {
    return withConnection("lastGlobalId", c -> queries.maxId(c, horizon.refresh(c)));
  }

  @Override
  public List<BackendMessage> backlog(String channel, long lastId) {
    Objects.requireNonNull(channel, "channel");
    return withConnection(
        "backlog of " + channel, c -> queries.backlog(c, channel, lastId, horizon.refresh(c)));
  }

  @Override
  public List<BackendMessage> globalBacklog(long lastGlobalId) {
    return withConnection(
        "globalBacklog", c -> queries.globalBacklog(c, lastGlobalId, horizon.refresh(c)));
  }

  @Override
  public @Nullable BackendMessage getMessage(String channel, long messageId) {
    Objects.requireNonNull(channel, "channel");
    return withConnection(
            "getMessage " + messageId + " of " + channel,
            c -> Optional.ofNullable(queries.getMessage(c, channel, messageId)))
        .orElse(null);
  }

  // ---------------------------------------------------------------- subscribing

  @Override
  public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
    Objects.requireNonNull(listener, "listener");
    Listener l = ensureListener();
    l.awaitListening(Duration.ofSeconds(5));
    long start = lastGlobalId;
    if (lastGlobalId < 0) {
      // Live only: everything after the newest id now. If the store cannot be read, the
      // subscription takes the newest id once it can (start stays negative: unknown).
      try {
        start = lastGlobalId();
      } catch (BackendException e) {
        LOG.warn("cannot read the newest id, starting when connected: {}", e.getMessage());
      }
    }
    PgSubscription sub = new PgSubscription(this, l, start, listener);
    subscriptions.add(sub);
    sub.start();
    return sub;
  }

  private Listener ensureListener() {
    connections.lifecycle.lock();
    try {
      connections.requireOpen();
      if (listener == null) {
        listener = new Listener(this);
        listener.start();
      }
      return listener;
    } finally {
      connections.lifecycle.unlock();
    }
  }

  void removed(PgSubscription sub) {
    subscriptions.remove(sub);
  }

  /** The backend process id of the LISTEN connection, or -1 while it is not connected. */
  int listenerPid() {
    connections.lifecycle.lock();
    try {
      return listener == null ? -1 : listener.pid();
    } finally {
      connections.lifecycle.unlock();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Drops and re-creates the table (Ruby's {@code reset!}); ids start again at 1. */
  @Override
  public void reset() {
    runInConnection(
        "reset",
        c -> {
          schema.recreate(c);
          horizon.reset();
          batcher.resetFloor();
        });
    for (PgSubscription s : subscriptions) {
      s.storeWasReset();
    }
  }

  /** As in Ruby, the same as {@link #reset()}: the table is dropped and re-created. */
  @Override
  public void expireAllBacklogs() {
    reset();
  }

  /**
   * {@link MessageIdScheme#GLOBAL}: the row id; subscriptions deliver in id order, never past an id
   * in flight.
   */
  @Override
  public MessageIdScheme messageIdScheme() {
    return MessageIdScheme.GLOBAL;
  }

  @Override
  public Retention retention() {
    return retention;
  }

  /**
   * Re-opens what {@link #close()} closed (the pool built from a JDBC URL is built again on first
   * use) and re-establishes the LISTEN connection of running subscriptions, which then catch up.
   * Data is kept.
   */
  @Override
  public void reconnect() {
    connections.lifecycle.lock();
    try {
      connections.reopen();
      if (listener != null) {
        listener.dropConnection();
      }
    } finally {
      connections.lifecycle.unlock();
    }
  }

  /**
   * Closes every subscription and the LISTEN connection, and the pool if this backend built it. A
   * {@code DataSource} handed in stays open. Idempotent; afterwards every use throws {@link
   * BusClosedException} until {@link #reconnect()}.
   */
  @Override
  public void close() {
    Listener l;
    HikariDataSource pool;
    connections.lifecycle.lock();
    try {
      pool = connections.markClosed();
      l = listener;
      listener = null;
    } finally {
      connections.lifecycle.unlock();
    }
    for (PgSubscription s : subscriptions) {
      s.close();
    }
    if (l != null) {
      l.stop();
    }
    if (pool != null) {
      pool.close();
    }
  }

  /** Builds a {@link PostgresBackend}; each setter documents its default. Not thread-safe. */
  public static final class Builder {
    private @Nullable DataSource dataSource;
    private @Nullable String jdbcUrl;
    private @Nullable Integer poolSizeSet;
    private int poolSize = DEFAULT_POOL_SIZE;
    private Retention retention = Retention.DEFAULTS;
    private boolean createSchema = true;
    private @Nullable String schema;
    private String tablePrefix = "";
    private String notificationChannel = DEFAULT_NOTIFICATION_CHANNEL;
    private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;
    private Duration lateCommitWindow = DEFAULT_LATE_COMMIT_WINDOW;
    private Clock clock = Clock.systemUTC();
    private int maxPublishBatch = DEFAULT_MAX_PUBLISH_BATCH;
    private Duration networkTimeout = DEFAULT_NETWORK_TIMEOUT;

    private Builder() {}

    /**
     * Uses the application's data source. It must hand out connections to PostgreSQL; the backend
     * borrows one per call and keeps one for LISTEN while subscriptions exist, and never closes the
     * data source. Exactly one of this and {@link #jdbcUrl} is required.
     *
     * @param dataSource the data source
     * @return this builder
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * Connects to this JDBC URL ({@code jdbc:postgresql://host:port/db?user=...}) through a
     * HikariCP pool that the backend builds on first use and closes. Exactly one of this and {@link
     * #dataSource} is required. A password in the URL never appears in a message.
     *
     * @param jdbcUrl the URL
     * @return this builder
     * @throws IllegalArgumentException if it does not start with {@code jdbc:postgresql:}
     */
    public Builder jdbcUrl(String jdbcUrl) {
      Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "jdbcUrl must start with jdbc:postgresql: but was " + redact(jdbcUrl));
      }
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /**
     * Sets the maximum size of the pool built from {@link #jdbcUrl} (the LISTEN connection is one
     * of them). Default {@value PostgresBackend#DEFAULT_POOL_SIZE}. Not allowed with {@link
     * #dataSource}.
     *
     * @param size at least 2
     * @return this builder
     * @throws IllegalArgumentException if {@code size < 2}
     */
    public Builder poolSize(int size) {
      if (size < 2) {
        throw new IllegalArgumentException("poolSize must be at least 2: " + size);
      }
      this.poolSize = size;
      this.poolSizeSet = size;
      return this;
    }

    /**
     * Sets the backlog limits; every process on the table must use the same. Default {@link
     * Retention#DEFAULTS} (1,000 per channel, 2,000 global, 7 days, trim every publish).
     *
     * @param retention the limits
     * @return this builder
     */
    public Builder retention(Retention retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * Sets whether the table and its indexes (and the {@link #schema}) are created when missing.
     * Default true. Turn it off when migrations own the schema.
     *
     * @param create whether to create
     * @return this builder
     */
    public Builder createSchema(boolean create) {
      this.createSchema = create;
      return this;
    }

    /**
     * Puts the table into this PostgreSQL schema. Default: none, the table name is unqualified and
     * resolved through the connection's {@code search_path} (as Ruby does).
     *
     * @param schema a lowercase identifier
     * @return this builder
     * @throws IllegalArgumentException if it is not {@code [a-z_][a-z0-9_]*}
     */
    public Builder schema(String schema) {
      this.schema = identifier("schema", schema, 63);
      return this;
    }

    /**
     * Prefixes the table name and the index names, e.g. {@code app1_} gives {@code
     * app1_message_bus}. Default: none ({@code message_bus}, Ruby's). Processes on different tables
     * of one database should also use different {@link #notificationChannel}s.
     *
     * @param prefix a lowercase identifier, or empty
     * @return this builder
     * @throws IllegalArgumentException if it is not empty and not {@code [a-z_][a-z0-9_]*}
     */
    public Builder tablePrefix(String prefix) {
      Objects.requireNonNull(prefix, "tablePrefix");
      this.tablePrefix = prefix.isEmpty() ? "" : identifier("tablePrefix", prefix, 40);
      return this;
    }

    /**
     * Sets the NOTIFY channel. Default {@value PostgresBackend#DEFAULT_NOTIFICATION_CHANNEL}:
     * Ruby's {@code _message_bus_<db>} with its {@code db} option 0 (use {@code _message_bus_N} for
     * db N).
     *
     * @param channel a lowercase identifier
     * @return this builder
     * @throws IllegalArgumentException if it is not {@code [a-z_][a-z0-9_]*} of at most 63 bytes
     */
    public Builder notificationChannel(String channel) {
      this.notificationChannel = identifier("notificationChannel", channel, 63);
      return this;
    }

    /**
     * Sets how long to wait before re-opening a lost LISTEN connection (and retrying a failed
     * catch-up). Default one second.
     *
     * @param delay positive
     * @return this builder
     * @throws IllegalArgumentException if {@code delay} is zero or negative
     */
    public Builder reconnectDelay(Duration delay) {
      this.reconnectDelay = OptionChecks.positive("reconnectDelay", delay);
      return this;
    }

    /**
     * Sets how long a call may wait on the network before its connection is taken as lost: set on
     * every connection the backend borrows ({@link java.sql.Connection#setNetworkTimeout}, for a
     * {@link #dataSource} too), and for the pool built from {@link #jdbcUrl} also the driver's
     * {@code connectTimeout} and {@code socketTimeout} (unless the URL sets them) and the pool's
     * connection timeout. The LISTEN connection checks its link every half of it. Without it, a
     * database host that silently drops packets leaves publishes hanging until the operating system
     * gives up on the connection (many minutes). Keep it above your longest expected statement
     * (publishes and reads are short; a commit waits for the disk). Default 30 s; {@link
     * Duration#ZERO} leaves the driver's and pool's own timeouts (pgjdbc: none while reading).
     *
     * @param timeout zero or positive, at most 24 days
     * @return this builder
     * @throws IllegalArgumentException if {@code timeout} is negative or too large
     */
    public Builder networkTimeout(Duration timeout) {
      OptionChecks.notNegative("networkTimeout", timeout);
      if (timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException(
            "networkTimeout must be at most " + Integer.MAX_VALUE + " ms: " + timeout);
      }
      this.networkTimeout = timeout;
      return this;
    }

    /**
     * Sets how long an id taken by a transaction that has not committed yet may hold back the
     * messages after it. Within the window, later messages wait (reads and subscriptions stop at
     * the id below it), so the message is delivered in order when its transaction commits; after
     * it, the id is given up: later messages go out, and the message, if it commits after all, is
     * not delivered. Default one minute. Keep transactions that publish short.
     *
     * @param window positive
     * @return this builder
     * @throws IllegalArgumentException if {@code window} is zero or negative
     */
    public Builder lateCommitWindow(Duration window) {
      this.lateCommitWindow = OptionChecks.positive("lateCommitWindow", window);
      return this;
    }

    /**
     * Sets the clock that measures the {@link #lateCommitWindow}. Default {@link
     * Clock#systemUTC()}; tests pass a clock they move by hand, so the window passes without
     * waiting. (Expiry by {@code maxBacklogAge} is PostgreSQL's business, on its own clock.)
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how many publishes from different threads may share one transaction (group commit).
     * Publishes that arrive while another batch is being written wait and go together in the next
     * one, written as one statement: one round trip and one commit for many, which multiplies what
     * concurrent publishers get through (every commit of a transaction that notifies is serialised
     * server-wide). Each message keeps its own id, row and announcement, in order; one the database
     * rejects fails alone. A lone publisher is not slowed; after a batch of N, the next writer
     * waits at most half as long as that batch took for N publishes to queue. Default {@value
     * PostgresBackend#DEFAULT_MAX_PUBLISH_BATCH}; 1 turns batching off. Transactional publishes
     * ({@link PostgresBackend#publish(Connection, PreparedPublish)}) are never batched.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code max < 1}
     */
    public Builder maxPublishBatch(int max) {
      this.maxPublishBatch = OptionChecks.atLeastOne("maxPublishBatch", max);
      return this;
    }

    /**
     * Builds the backend. Nothing is connected yet (not even the pool built from {@link #jdbcUrl}):
     * the pool, the connections and the table are made on first use, so this succeeds while the
     * database is down.
     *
     * @return the backend
     * @throws IllegalArgumentException if neither or both of {@code dataSource} and {@code jdbcUrl}
     *     were given, or {@code poolSize} was given with a {@code dataSource}
     */
    public PostgresBackend build() {
      if ((dataSource == null) == (jdbcUrl == null)) {
        throw new IllegalArgumentException("exactly one of dataSource and jdbcUrl must be given");
      }
      if (dataSource != null && poolSizeSet != null) {
        throw new IllegalArgumentException(
            "poolSize applies only to the pool built from jdbcUrl, not to a dataSource");
      }
      return new PostgresBackend(
          new PgOptions(
              dataSource,
              jdbcUrl,
              poolSize,
              retention,
              createSchema,
              schema,
              tablePrefix,
              notificationChannel,
              reconnectDelay,
              lateCommitWindow,
              clock,
              maxPublishBatch,
              networkTimeout));
    }

    private static String identifier(String option, String value, int maxLength) {
      Objects.requireNonNull(value, option);
      if (!IDENTIFIER.matcher(value).matches() || value.length() > maxLength) {
        throw new IllegalArgumentException(
            option
                + " must be a lowercase identifier ([a-z_][a-z0-9_]*, at most "
                + maxLength
                + " characters): \""
                + value
                + "\"");
      }
      return value;
    }
  }
}
