// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;
import org.messagebus.BusClosedException;
import org.messagebus.spi.BackendStateTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis connections of one {@link RedisBackend}: the Lettuce client (the application's, or one
 * of our own), the shared command connection, new pub/sub connections for subscriptions, the
 * notification channel (which may depend on the database of a supplied client), and the {@code
 * commands} link of the backend's connection state.
 *
 * <p><b>Concurrency.</b> {@code lifecycle} guards creating and dropping the command connection and
 * the client, the connection attempt in progress and the {@code closed} flag's transitions;
 * connecting itself happens outside the lock, so {@link #beginClose()} never waits for a connection
 * attempt. Connecting is single-flight: threads that need the command connection while another
 * connects (at a bus's start, its subscribing thread and its background thread both do) wait for
 * that attempt's outcome instead of opening connections of their own. Publishes and reads from any
 * thread share the one command connection (Lettuce pipelines concurrent commands on it).
 *
 * <p><b>State.</b> Each command connection reports to the {@code commands} link through its own
 * {@link CommandConnectionWatch} until it is dropped on purpose: a connection that completes after
 * {@link #beginClose()}, the old connection on {@link #reopen()}, the current one on {@link
 * #beginClose()}. Closing those is no lost connection, so it is not reported.
 */
final class RedisConnections {

  /** The name of the command connection's link in the backend's connection state. */
  static final String COMMANDS = "commands";

  private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);

  /**
   * How much longer than a connection attempt's own bound a thread waits for another's attempt, so
   * that the attempt's outcome (its failure comes from Lettuce's timers) normally reaches it first.
   */
  private static final Duration ATTEMPT_WAIT_MARGIN = Duration.ofSeconds(1);

  private final @Nullable RedisURI uri;
  private final @Nullable RedisClient suppliedClient;
  private final Duration commandTimeout;
  private final Duration retryInterval;
  private final @Nullable String configuredNotificationChannel;
  private final BackendStateTracker state = new BackendStateTracker();

  private final ReentrantLock lifecycle = new ReentrantLock();
  // guarded by lifecycle
  private @Nullable RedisClient ownClient;
  private @Nullable ClientResources ownResources;
  private volatile @Nullable StatefulRedisConnection<String, String> connection;
  // guarded by lifecycle; the watch of connection
  private @Nullable CommandConnectionWatch connectionWatch;
  // guarded by lifecycle; the connection attempt in progress, which concurrent callers share
  private @Nullable Attempt attempt;
  private volatile @Nullable String notificationChannel;
  private volatile boolean closed;

  RedisConnections(RedisOptions options) {
    this.suppliedClient = options.client();
    this.uri = options.uri();
    this.commandTimeout = options.commandTimeout();
    this.retryInterval = options.retryInterval();
    this.configuredNotificationChannel = options.notificationChannel();
    if (configuredNotificationChannel != null) {
      this.notificationChannel = configuredNotificationChannel;
    } else if (uri != null) {
      this.notificationChannel = RedisBackend.NOTIFICATION_CHANNEL_PREFIX + uri.getDatabase();
    }
  }

  BackendStateTracker state() {
    return state;
  }

  Duration commandTimeout() {
    return commandTimeout;
  }

  Duration retryInterval() {
    return retryInterval;
  }

  boolean isClosed() {
    return closed;
  }

  /** Throws {@link BusClosedException} once {@link #beginClose()} ran and until {@link #reopen}. */
  void requireOpen() {
    if (closed) {
      throw closedFailure();
    }
  }

  private static BusClosedException closedFailure() {
    return new BusClosedException("the Redis backend is closed; call reconnect() first");
  }

  /** Runs {@code action} if open, atomically with respect to {@link #beginClose()}. */
  void whileOpen(Runnable action) {
    lifecycle.lock();
    try {
      requireOpen();
      action.run();
    } finally {
      lifecycle.unlock();
    }
  }

  RedisCommands<String, String> sync() {
    return connection().sync();
  }

  /**
   * Returns the command connection, creating it (and the client) when needed. Connecting is
   * single-flight: the first caller connects, and callers that come while it does wait for the
   * outcome of that attempt (its connection, or its failure as a {@link BackendException}). The
   * connecting happens outside the lock, so closing never waits for it: a connection that completes
   * after {@link #beginClose()} is closed, and the attempt's waiters and the connecting thread get
   * {@link BusClosedException}.
   */
  StatefulRedisConnection<String, String> connection() {
    StatefulRedisConnection<String, String> c = connection;
    if (c != null) {
      return c;
    }
    RedisClient client;
    Attempt shared;
    boolean first;
    lifecycle.lock();
    try {
      requireOpen();
      StatefulRedisConnection<String, String> current = connection;
      if (current != null) {
        return current;
      }
      client = client();
      Attempt inProgress = attempt;
      first = inProgress == null;
      if (inProgress == null) {
        inProgress = new Attempt(connectBound(client));
        attempt = inProgress;
      }
      shared = inProgress;
    } finally {
      lifecycle.unlock();
    }
    return first ? connect(client, shared) : shared.await();
  }

  /** Makes attempt {@code mine}: connects, and installs the connection unless closed meanwhile. */
  private StatefulRedisConnection<String, String> connect(RedisClient client, Attempt mine) {
    StatefulRedisConnection<String, String> fresh;
    try {
      fresh =
          uri != null ? client.connect(StringCodec.UTF8, uri) : client.connect(StringCodec.UTF8);
    } catch (RuntimeException e) {
      boolean abandoned = !end(mine);
      RuntimeException failure = e;
      if (e instanceof RedisException) {
        failure = new BackendException("cannot connect to Redis: " + e.getMessage(), e);
        if (!closed) {
          state.down(COMMANDS, failure);
        }
      }
      if (abandoned) {
        failure = closedFailure(); // beginClose() gave up on this attempt (and told its waiters)
      }
      mine.fail(failure);
      throw failure;
    } catch (Error e) {
      end(mine); // no later caller may wait for an attempt that ended
      mine.fail(e);
      throw e;
    }
    fresh.setTimeout(commandTimeout);
    CommandConnectionWatch watch = new CommandConnectionWatch();
    fresh.addListener(watch);
    String channel = notificationChannel == null ? databaseChannel(fresh) : null;
    boolean installed = false;
    lifecycle.lock();
    try {
      if (attempt == mine) { // else beginClose() gave up on it
        attempt = null;
        if (notificationChannel == null) {
          notificationChannel = channel;
        }
        connection = fresh;
        connectionWatch = watch;
        installed = true;
      }
    } finally {
      lifecycle.unlock();
    }
    if (!installed) { // closed while connecting (a reopen() since may have cleared the flag)
      watch.drop(); // before closing: its disconnection is no lost connection
      fresh.close();
      BusClosedException failure = closedFailure();
      mine.fail(failure);
      throw failure;
    }
    state.up(COMMANDS);
    mine.outcome.complete(fresh);
    return fresh;
  }

  /**
   * Ends attempt {@code mine} as the one in progress; false if {@link #beginClose()} gave up on it
   * already.
   */
  private boolean end(Attempt mine) {
    lifecycle.lock();
    try {
      if (attempt != mine) {
        return false;
      }
      attempt = null;
      return true;
    } finally {
      lifecycle.unlock();
    }
  }

  /**
   * The longest a connection attempt with {@code client} may take, which bounds how long other
   * callers wait for it. Lettuce's blocking connect waits for its connection without a timeout of
   * its own; each connection it opens is bounded by the client's socket connect timeout (with the
   * backend's own client, the command timeout) and then by the URI's timeout (the handshake);
   * through Sentinel it first opens a connection to, and sends a command (bounded by the URI's
   * timeout) to, each Sentinel it asks. A supplied client without a URI connects to a default URI
   * of its own that it does not show: Lettuce's default timeout is assumed for it.
   */
  private Duration connectBound(RedisClient client) {
    Duration connect = client.getOptions().getSocketOptions().getConnectTimeout();
    Duration timeout = uri != null ? uri.getTimeout() : RedisURI.DEFAULT_TIMEOUT_DURATION;
    int sentinels = uri != null ? uri.getSentinels().size() : 0;
    Duration oneConnection = connect.plus(timeout);
    return oneConnection
        .plus(oneConnection.plus(timeout).multipliedBy(sentinels))
        .plus(ATTEMPT_WAIT_MARGIN);
  }

  /** One attempt to open the command connection, whose outcome concurrent callers share. */
  private static final class Attempt {

    final CompletableFuture<StatefulRedisConnection<String, String>> outcome =
        new CompletableFuture<>();
    private final Duration bound;

    Attempt(Duration bound) {
      this.bound = bound;
    }

    /** Tells the waiters (if the attempt has no outcome yet) that it failed with {@code e}. */
    void fail(Throwable e) {
      outcome.completeExceptionally(e);
    }

    /**
     * Waits for the attempt's outcome, for at most its bound. A failure is thrown as the same kind
     * as the connecting thread's: a {@link BackendException}, or {@link BusClosedException} if the
     * backend was closed meanwhile (a new instance in each thread, with this thread's stack).
     */
    StatefulRedisConnection<String, String> await() {
      try {
        return outcome.get(saturatedNanos(bound), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException("interrupted while waiting for the connection to Redis", e);
      } catch (TimeoutException e) {
        throw new BackendException(
            "cannot connect to Redis: another thread's connection attempt did not end within "
                + bound,
            e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof BusClosedException) {
          throw closedFailure();
        }
        if (cause instanceof BackendException be) {
          Throwable root = be.getCause();
          String message = String.valueOf(be.getMessage());
          throw root != null ? new BackendException(message, root) : new BackendException(message);
        }
        Throwable failure = cause != null ? cause : e;
        throw new BackendException("cannot connect to Redis: " + failure, failure);
      }
    }

    private static long saturatedNanos(Duration d) {
      try {
        return d.toNanos();
      } catch (ArithmeticException e) {
        return Long.MAX_VALUE;
      }
    }
  }

  /**
   * Reports what Lettuce tells of one command connection as the {@code commands} link: up when it
   * (re)connects, down when it is lost (Lettuce then reconnects it), until the connection is {@link
   * #drop() dropped} on purpose, when nothing it reports counts any more.
   */
  private final class CommandConnectionWatch implements RedisConnectionStateListener {

    private volatile boolean dropped;

    /** Stops reporting, before the connection is closed on purpose. */
    void drop() {
      dropped = true;
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> ch, SocketAddress address) {
      if (!dropped) {
        state.up(COMMANDS);
      }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> ch) {
      if (!dropped && !closed) {
        state.down(COMMANDS, new BackendException("lost the connection to Redis"));
      }
    }
  }

  // guarded by lifecycle: the current connection is being dropped on purpose
  private void dropWatch() {
    CommandConnectionWatch w = connectionWatch;
    connectionWatch = null;
    if (w != null) {
      w.drop();
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
    return RedisBackend.NOTIFICATION_CHANNEL_PREFIX + databaseOf(c);
  }

  /** The database a connection of a user-supplied client (without URI) is on. */
  private static int databaseOf(StatefulRedisConnection<String, String> c) {
    try {
      String info = c.sync().clientInfo();
      for (String part : info.trim().split(" ", -1)) {
        if (part.startsWith("db=")) {
          return Integer.parseInt(part.substring(3));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot tell the Redis database of the supplied client ({}); using notification channel"
              + " {}0; set notificationChannel to choose",
          e.getMessage(),
          RedisBackend.NOTIFICATION_CHANNEL_PREFIX);
    }
    return 0;
  }

  /** The notification channel, connecting first if it depends on a supplied client's database. */
  String notificationChannel() {
    String c = notificationChannel;
    if (c == null) {
      connection();
      c = notificationChannel;
      if (c == null) { // closed since connection() returned
        throw closedFailure();
      }
    }
    return c;
  }

  /** The notification channel if known, without connecting. */
  @Nullable String knownNotificationChannel() {
    return notificationChannel;
  }

  // ---------------------------------------------------------------- outcomes of commands

  /** Notes a command the store answered (even with an error reply) for the connection state. */
  <T> T answered(T result) {
    answered();
    return result;
  }

  /** Notes a command the store answered, for one without a result. */
  void answered() {
    state.up(COMMANDS);
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

  /** Notes a failure and turns it into the exception the caller throws. */
  BackendException asBackendException(String what, RuntimeException e) {
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

  /** Waits for a pipelined command for at most the command timeout. */
  <T> T await(RedisFuture<T> f) {
    try {
      return f.get(commandTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendException("interrupted while reading from Redis", e);
    } catch (ExecutionException e) {
      Throwable failure = e.getCause();
      Throwable cause = failure != null ? failure : e;
      throw cause instanceof RuntimeException re
          ? re
          : new BackendException("Redis read failed: " + cause, cause);
    } catch (TimeoutException e) {
      throw new BackendException("Redis read timed out after " + commandTimeout, e);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Drops the command connection (a new one is made on next use) and clears the closed flag. */
  void reopen() {
    StatefulRedisConnection<String, String> old;
    lifecycle.lock();
    try {
      old = connection;
      connection = null;
      dropWatch();
      closed = false;
    } finally {
      lifecycle.unlock();
    }
    if (old != null) {
      old.close();
    }
  }

  /**
   * Marks the connections closed, so that nothing opens a connection or registers a subscription
   * from now on, and returns what releases them: the caller closes its subscriptions first, then
   * runs it.
   */
  Runnable beginClose() {
    StatefulRedisConnection<String, String> c;
    RedisClient client;
    ClientResources resources;
    Attempt abandoned;
    lifecycle.lock();
    try {
      closed = true;
      c = connection;
      connection = null;
      dropWatch();
      abandoned = attempt; // not waited for: its connection is closed when it completes
      attempt = null;
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
    if (abandoned != null) {
      abandoned.fail(closedFailure());
    }
    return () -> release(c, client, resources);
  }

  private static void release(
      @Nullable StatefulRedisConnection<String, String> c,
      @Nullable RedisClient client,
      @Nullable ClientResources resources) {
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

  /** The URI, or a placeholder for a supplied client without one. */
  String describe() {
    return uri != null ? uri.toString() : "supplied client";
  }
}
