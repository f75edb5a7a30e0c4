package org.messagebus.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.messagebus.BackendException;
import org.messagebus.BackendStateListener;
import org.messagebus.BusClosedException;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendStateTracker;
import org.messagebus.spi.BackendSubscription;
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
 * it listens, down when it is lost). A host that silently drops packets is noticed only as fast as
 * the driver's own timeouts allow: set {@code socketTimeout} (and {@code connectTimeout}) in the
 * JDBC URL to bound how long a call may hang.
 *
 * <p><b>No loss, no duplicate.</b> Each subscription remembers the highest global id it delivered
 * and the ids below it it has not seen yet (a transaction that took an id commits later, or rolled
 * back). After every (re)connect of the LISTEN connection, and whenever an announcement skips ids,
 * it reads the rows after that id (and the missing ids) from the table and delivers them in order.
 * An announcement of an id already delivered is dropped. Rows are therefore delivered in ascending
 * id order, except a row whose transaction commits after a later row was delivered: it is delivered
 * late rather than lost (ids still missing after {@link Builder#lateCommitWindow lateCommitWindow}
 * are given up).
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
 * <p>Thread-safe. Failures of the store surface as {@link BackendException}.
 */
public final class PostgresBackend implements Backend {

  /** Default of {@link Builder#notificationChannel}: Ruby's {@code _message_bus_<db>} with db 0. */
  public static final String DEFAULT_NOTIFICATION_CHANNEL = "_message_bus_0";

  /** Default of {@link Builder#reconnectDelay}: one second, as in Ruby. */
  public static final Duration DEFAULT_RECONNECT_DELAY = Duration.ofSeconds(1);

  /** Default of {@link Builder#lateCommitWindow}: one minute. */
  public static final Duration DEFAULT_LATE_COMMIT_WINDOW = Duration.ofMinutes(1);

  /** Default of {@link Builder#poolSize}: 10 connections. */
  public static final int DEFAULT_POOL_SIZE = 10;

  /** The announcement with which Ruby asks every listener to stop; never a message. */
  static final String UNSUBSCRIBE = "$$UNSUBSCRIBE";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresBackend.class);
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");

  private final String jdbcUrl;
  private final int poolSize;
  private final Retention retention;
  private final boolean createSchema;
  private final String schema;
  private final String notificationChannel;
  private final Duration reconnectDelay;
  private final Duration lateCommitWindow;
  final Sql sql;

  private final ReentrantLock lifecycle = new ReentrantLock();
  private final DataSource suppliedDataSource;
  private final ReentrantLock poolCreation = new ReentrantLock();
  private volatile HikariDataSource ownPool;
  private final BackendStateTracker state = new BackendStateTracker();
  static final String QUERIES = "queries";
  static final String LISTEN = "listen";
  private volatile boolean tableReady;
  private volatile boolean closed;
  private Listener listener; // guarded by lifecycle
  final List<PgSubscription> subscriptions = new CopyOnWriteArrayList<>();

  private PostgresBackend(Builder b) {
    this.jdbcUrl = b.jdbcUrl;
    this.poolSize = b.poolSize;
    this.retention = b.retention;
    this.createSchema = b.createSchema;
    this.schema = b.schema;
    this.notificationChannel = b.notificationChannel;
    this.reconnectDelay = b.reconnectDelay;
    this.lateCommitWindow = b.lateCommitWindow;
    this.sql = new Sql(b.schema, b.tablePrefix);
    this.suppliedDataSource = b.dataSource;
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

  /**
   * The data source to borrow connections from: the one handed in, or the pool built from the JDBC
   * URL, built now if needed (outside the lifecycle lock, so {@link #close()} never waits for it).
   *
   * @throws BusClosedException if the backend is closed
   * @throws BackendException if the pool cannot be built (the database is unreachable)
   */
  DataSource dataSource() {
    requireOpen();
    if (suppliedDataSource != null) {
      return suppliedDataSource;
    }
    HikariDataSource pool = ownPool;
    if (pool != null) {
      return pool;
    }
    poolCreation.lock();
    try {
      if (ownPool != null) {
        return ownPool;
      }
      requireOpen();
      HikariDataSource fresh;
      try {
        fresh = new HikariDataSource(poolConfig());
      } catch (RuntimeException e) {
        // HikariCP's PoolInitializationException: the first connection failed.
        BackendException failure =
            new BackendException(
                "PostgreSQL backend: cannot connect to "
                    + redact(jdbcUrl)
                    + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
                e);
        if (!closed) {
          state.down(QUERIES, failure);
        }
        throw failure;
      }
      lifecycle.lock();
      try {
        if (!closed) {
          ownPool = fresh;
          return fresh;
        }
      } finally {
        lifecycle.unlock();
      }
      fresh.close();
      throw closedException();
    } finally {
      poolCreation.unlock();
    }
  }

  /** The data source if there is one now, without building or checking anything. */
  DataSource currentDataSource() {
    return suppliedDataSource != null ? suppliedDataSource : ownPool;
  }

  private HikariConfig poolConfig() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setPoolName("message-bus-postgres");
    config.setAutoCommit(true);
    return config;
  }

  /** The JDBC URL without its password ({@code password=...} or {@code user:password@}). */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("//[^@/?]*@", "//***@");
  }

  private void requireOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private static BusClosedException closedException() {
    return new BusClosedException("the PostgreSQL backend is closed; call reconnect() first");
  }

  // ---------------------------------------------------------------- connections

  /** Work on a borrowed connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  <T> T withConnection(String what, SqlWork<T> work) {
    DataSource ds = dataSource();
    T result;
    try (Connection c = ds.getConnection()) {
      ensureTable(c);
      result = work.run(c);
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      BackendException failure = failure(what, e);
      if (isConnectionFailure(e)) {
        if (!closed) {
          state.down(QUERIES, failure);
        }
      } else {
        state.up(QUERIES); // the database answered, with an error of its own
      }
      throw failure;
    }
    state.up(QUERIES);
    return result;
  }

  /**
   * True for a failure to get or keep a connection, rather than an error the database answered
   * with: SQLState class 08, an administrator shutdown or a database starting up (57P01–57P03), or
   * the pool's connection timeout.
   */
  static boolean isConnectionFailure(SQLException e) {
    String s = e.getSQLState();
    return e instanceof SQLTransientConnectionException
        || e instanceof SQLNonTransientConnectionException
        || (s != null && (s.startsWith("08") || s.startsWith("57P0")));
  }

  BackendStateTracker state() {
    return state;
  }

  @Override
  public void stateListener(BackendStateListener listener) {
    state.listener(listener);
  }

  static BackendException failure(String what, SQLException e) {
    String state = e.getSQLState() == null ? "" : " [SQLState " + e.getSQLState() + "]";
    return new BackendException(
        "PostgreSQL backend: " + what + " failed" + state + ": " + e.getMessage(), e);
  }

  private void ensureTable(Connection c) throws SQLException {
    if (tableReady || !createSchema) {
      return;
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql.tableExists)) {
      rs.next();
      if (rs.getBoolean(1)) {
        tableReady = true;
        return;
      }
    }
    inTransaction(
        c,
        () -> {
          try (Statement st = c.createStatement()) {
            lockSchema(st);
            if (schema != null) {
              st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            }
            createTable(st);
          }
        });
    tableReady = true;
  }

  /** Serialises DDL on this table across processes (CREATE ... IF NOT EXISTS can still race). */
  private void lockSchema(Statement st) throws SQLException {
    try (PreparedStatement ps =
        st.getConnection().prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
      ps.setString(1, "message_bus:" + sql.table);
      ps.execute();
    }
  }

  private void createTable(Statement st) throws SQLException {
    st.execute(sql.createTable);
    st.execute(sql.createChannelIndex);
    st.execute(sql.createAddedAtIndex);
  }

  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }

  private static void inTransaction(Connection c, SqlAction action) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      action.run();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  // ---------------------------------------------------------------- publishing

  @Override
  public long publish(String channel, String payload, BackendPublishOptions options) {
    checkPublish(channel, payload, options);
    return withConnection("publish to " + channel, c -> publishOn(c, channel, payload, options));
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
    checkPublish(prepared.channel(), prepared.payload(), prepared.options());
    requireOpen();
    if (!tableReady && createSchema) {
      // Never run DDL inside the caller's transaction.
      withConnection("creating the table", c -> null);
    }
    try {
      return publishOn(connection, prepared.channel(), prepared.payload(), prepared.options());
    } catch (SQLException e) {
      throw failure("transactional publish to " + prepared.channel(), e);
    }
  }

  private static void checkPublish(String channel, String payload, BackendPublishOptions options) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    if (payload.getBytes(StandardCharsets.UTF_8).length < 2) {
      throw new IllegalArgumentException(
          "payload must be at least 2 bytes (message_bus table check constraint): \""
              + payload
              + "\"");
    }
  }

  private long publishOn(
      Connection c, String channel, String payload, BackendPublishOptions options)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.publish)) {
      ps.setString(1, channel);
      ps.setString(2, payload);
      ps.setString(3, BackendMessage.escapeChannel(channel));
      ps.setInt(4, retention.clearEvery());
      ps.setString(5, "message_bus trim:" + sql.table);
      ps.setInt(6, retention.maxGlobalBacklogSize());
      ps.setString(7, seconds(options.effectiveMaxBacklogAge(retention)));
      ps.setString(8, channel);
      ps.setString(9, channel);
      ps.setInt(10, options.effectiveMaxBacklogSize(retention) - 1);
      ps.setString(11, notificationChannel);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
  }

  // ---------------------------------------------------------------- reading

  @Override
  public long lastId(String channel) {
    Objects.requireNonNull(channel, "channel");
    return withConnection(
        "lastId of " + channel,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.maxChannelId)) {
            ps.setString(1, channel);
            return singleLong(ps);
          }
        });
  }

  @Override
  public long[] lastIds(List<String> channels) {
    Objects.requireNonNull(channels, "channels");
    long[] ids = new long[channels.size()];
    if (ids.length == 0) {
      return ids;
    }
    Map<String, Long> found =
        withConnection(
            "lastIds",
            c -> {
              Map<String, Long> map = new HashMap<>();
              Array array = c.createArrayOf("text", channels.toArray());
              try (PreparedStatement ps = c.prepareStatement(sql.maxChannelIds)) {
                ps.setArray(1, array);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    map.put(rs.getString(1), rs.getLong(2));
                  }
                }
              } finally {
                array.free();
              }
              return map;
            });
    for (int i = 0; i < ids.length; i++) {
      ids[i] = found.getOrDefault(channels.get(i), 0L);
    }
    return ids;
  }

  @Override
  public long lastGlobalId() {
    return withConnection("lastGlobalId", this::maxId);
  }

  long maxId(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.maxId)) {
      return singleLong(ps);
    }
  }

  private static long singleLong(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  @Override
  public List<BackendMessage> backlog(String channel, long lastId) {
    Objects.requireNonNull(channel, "channel");
    return withConnection(
        "backlog of " + channel,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.channelBacklog)) {
            ps.setString(1, channel);
            ps.setLong(2, lastId);
            List<BackendMessage> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                long id = rs.getLong(1);
                result.add(new BackendMessage(id, id, channel, rs.getString(2)));
              }
            }
            return result;
          }
        });
  }

  @Override
  public List<BackendMessage> globalBacklog(long lastGlobalId) {
    return withConnection(
        "globalBacklog",
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.globalBacklog)) {
            ps.setLong(1, lastGlobalId);
            return rows(ps);
          }
        });
  }

  /** Reads {@code id, channel, value} rows. */
  static List<BackendMessage> rows(PreparedStatement ps) throws SQLException {
    List<BackendMessage> result = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long id = rs.getLong(1);
        result.add(new BackendMessage(id, id, rs.getString(2), rs.getString(3)));
      }
    }
    return result;
  }

  @Override
  public BackendMessage getMessage(String channel, long messageId) {
    Objects.requireNonNull(channel, "channel");
    return withConnection(
        "getMessage " + messageId + " of " + channel,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql.getMessage)) {
            ps.setString(1, channel);
            ps.setLong(2, messageId);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? new BackendMessage(messageId, messageId, channel, rs.getString(1))
                  : null;
            }
          }
        });
  }

  /** Reads one row by id, or null when it is gone. */
  BackendMessage byId(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.getById)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new BackendMessage(id, id, rs.getString(1), rs.getString(2)) : null;
      }
    }
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
    lifecycle.lock();
    try {
      requireOpen();
      if (listener == null) {
        listener = new Listener(this);
        listener.start();
      }
      return listener;
    } finally {
      lifecycle.unlock();
    }
  }

  void removed(PgSubscription sub) {
    subscriptions.remove(sub);
  }

  String notificationChannel() {
    return notificationChannel;
  }

  Duration reconnectDelay() {
    return reconnectDelay;
  }

  Duration lateCommitWindow() {
    return lateCommitWindow;
  }

  /** The backend process id of the LISTEN connection, or -1 while it is not connected. */
  int listenerPid() {
    lifecycle.lock();
    try {
      return listener == null ? -1 : listener.pid();
    } finally {
      lifecycle.unlock();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Drops and re-creates the table (Ruby's {@code reset!}); ids start again at 1. */
  @Override
  public void reset() {
    withConnection(
        "reset",
        c -> {
          inTransaction(
              c,
              () -> {
                try (Statement st = c.createStatement()) {
                  lockSchema(st);
                  st.execute(sql.dropTable);
                  createTable(st);
                }
              });
          return null;
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
    lifecycle.lock();
    try {
      HikariDataSource pool = ownPool;
      if (pool != null && pool.isClosed()) {
        ownPool = null; // built again on first use
      } else if (pool != null && pool.getHikariPoolMXBean() != null) {
        pool.getHikariPoolMXBean().softEvictConnections();
      }
      closed = false;
      if (listener != null) {
        listener.dropConnection();
      }
    } finally {
      lifecycle.unlock();
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
    lifecycle.lock();
    try {
      closed = true;
      l = listener;
      listener = null;
      pool = ownPool;
      ownPool = null;
    } finally {
      lifecycle.unlock();
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
    private DataSource dataSource;
    private String jdbcUrl;
    private Integer poolSizeSet;
    private int poolSize = DEFAULT_POOL_SIZE;
    private Retention retention = Retention.DEFAULTS;
    private boolean createSchema = true;
    private String schema;
    private String tablePrefix = "";
    private String notificationChannel = DEFAULT_NOTIFICATION_CHANNEL;
    private Duration reconnectDelay = DEFAULT_RECONNECT_DELAY;
    private Duration lateCommitWindow = DEFAULT_LATE_COMMIT_WINDOW;

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
      this.reconnectDelay = positive("reconnectDelay", delay);
      return this;
    }

    /**
     * Sets how long a subscription waits for an id it skipped (taken by a transaction not yet
     * committed when a later id arrived) before giving it up. A message committed within this
     * window is delivered late rather than lost. Default one minute.
     *
     * @param window positive
     * @return this builder
     * @throws IllegalArgumentException if {@code window} is zero or negative
     */
    public Builder lateCommitWindow(Duration window) {
      this.lateCommitWindow = positive("lateCommitWindow", window);
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
      return new PostgresBackend(this);
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

    private static Duration positive(String option, Duration d) {
      Objects.requireNonNull(d, option);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(option + " must be positive: " + d);
      }
      return d;
    }
  }
}
