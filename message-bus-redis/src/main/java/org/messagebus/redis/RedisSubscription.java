// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;
import org.messagebus.BusClosedException;
import org.messagebus.spi.AbstractBackendSubscription;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One firehose subscription of a {@link RedisBackend} (SPEC §3.2.4): its own pub/sub connection and
 * its own daemon thread.
 *
 * <p><b>Threads.</b> Lettuce's I/O thread only appends events (a notification, "subscribed") to
 * {@link #events}. The subscription thread takes them one at a time and is the only thread that
 * reads {@link #highest}, runs catch-up and calls the listener, so the listener sees messages one
 * at a time in global-id order. {@link #close()} may run on any thread: it marks the subscription
 * closed ({@link #isClosed()}) (the listener is not called after that) and wakes the thread.
 *
 * <p><b>Ordering.</b> {@link #highest} is the global id delivered last. A notification with exactly
 * {@code highest + 1} is delivered. Anything else is a gap (a lost connection, a notification
 * missed) or a duplicate (one that catch-up already delivered): a gap runs catch-up, which reads
 * the global backlog after {@code highest} and delivers it in order; a duplicate is dropped unless
 * the store's global id fell below {@code highest} (the store was reset or flushed), in which case
 * catch-up starts again from 0. Every (re-)subscription, including Lettuce's automatic one after a
 * reconnect, runs catch-up before live messages: nothing published while disconnected is lost, and
 * nothing is delivered twice.
 *
 * <p><b>Failures.</b> If the first connection fails, the thread retries every {@code
 * retryInterval}; once connected, Lettuce reconnects and re-subscribes by itself. A catch-up that
 * fails (Redis unreachable) is retried every {@code retryInterval}; notifications that arrive
 * meanwhile trigger catch-up rather than being delivered out of order. A global backlog trimmed
 * past {@code highest} (a long outage with heavy traffic) loses those messages: it is logged as a
 * warning. The notification that revealed a gap carries its own message, so it is delivered even
 * when its backlog entries were trimmed before catch-up read them.
 *
 * <p><b>State.</b> The subscription is one link of the backend's {@linkplain
 * org.messagebus.spi.BackendStateTracker connection state}, named after its thread: down when its
 * connection cannot be opened or is lost, up once subscribed; forgotten when closed.
 *
 * <p><b>Known limit (as Ruby).</b> A store whose global id went backwards is taken as reset and
 * replayed from 0; a Redis restored from an older snapshot (an append-only file that lost its last
 * second) therefore re-delivers the retained messages it still has.
 */
final class RedisSubscription extends AbstractBackendSubscription implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSubscription.class);
  private static final Object SUBSCRIBED = new Object();
  private static final Object STOP = new Object();

  private final RedisBackend backend;
  private final RedisConnections connections;
  private final Thread thread;
  private final String link;
  private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private final CountDownLatch firstAttempt = new CountDownLatch(1);

  private volatile boolean subscribed;
  private volatile @Nullable StatefulRedisPubSubConnection<String, String> pubSub;

  // subscription thread only
  private long highest;
  private boolean catchUpPending;
  // Messages delivered so far (for the catch-up count); subscriber thread only.
  private long deliveredCount;

  RedisSubscription(RedisBackend backend, long lastGlobalId, BackendListener listener) {
    super(listener);
    this.backend = backend;
    this.connections = backend.connections();
    this.highest = lastGlobalId;
    this.thread = DaemonThreads.newThread("message-bus-redis-subscriber", this);
    this.link = thread.getName();
  }

  void start() {
    thread.start();
  }

  /** Waits until the first connection attempt succeeded or failed, at most {@code max}. */
  void awaitFirstAttempt(Duration max) {
    try {
      if (!firstAttempt.await(max.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("Redis subscription not established after {}; it keeps trying", max);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void run() {
    try {
      if (connectUntilDone()) {
        loop();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      subscribed = false;
      closeConnection();
      firstAttempt.countDown();
    }
  }

  /**
   * Connects and subscribes, retrying every {@code retryInterval}; false when the subscription was
   * closed meanwhile.
   */
  private boolean connectUntilDone() throws InterruptedException {
    while (!isClosed()) {
      try {
        connect();
        return true;
      } catch (RuntimeException e) {
        if (isClosed() || e instanceof BusClosedException) {
          return false;
        }
        LOG.warn(
            "Redis subscription failed ({}), retrying in {}",
            e.getMessage(),
            connections.retryInterval());
        connections.state().down(link, e);
        closeConnection();
        firstAttempt.countDown();
        if (events.poll(connections.retryInterval().toMillis(), TimeUnit.MILLISECONDS) == STOP) {
          return false;
        }
      }
    }
    return false;
  }

  /**
   * Whether the pub/sub connection still answers: a PING, bounded by the command timeout. Waiting
   * for notifications sends nothing, so a link that silently drops packets (a partition, a
   * failed-over address) would otherwise look quiet forever and Lettuce would never reconnect. True
   * while Lettuce itself is reconnecting (it re-subscribes, and catch-up follows).
   */
  private boolean answers() {
    StatefulRedisPubSubConnection<String, String> c = pubSub;
    if (c == null || !subscribed || !c.isOpen()) {
      return true;
    }
    try {
      c.async().ping().get(connections.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true; // closing: the loop ends
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return isClosed();
    }
  }

  /** Opens the pub/sub connection and subscribes; the "subscribed" event follows. */
  private void connect() {
    if (highest < 0) {
      // Live only: start after what exists now, so catch-up after a reconnect has a position.
      highest = backend.lastGlobalId();
    }
    StatefulRedisPubSubConnection<String, String> c = connections.connectPubSub();
    pubSub = c;
    c.addListener(
        new RedisPubSubAdapter<String, String>() {
          @Override
          public void message(String channel, String message) {
            events.add(message);
          }

          @Override
          public void subscribed(String channel, long count) {
            events.add(SUBSCRIBED);
          }
        });
    c.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (connection != pubSub) {
              return; // one this subscription dropped (closeConnection), not its current one
            }
            subscribed = false;
            if (!isClosed()) {
              backend
                  .state()
                  .down(link, new BackendException("lost the Redis subscription connection"));
            }
          }
        });
    if (isClosed()) {
      return;
    }
    c.sync().subscribe(connections.notificationChannel());
  }

  private void loop() throws InterruptedException {
    long retryMillis = connections.retryInterval().toMillis();
    // After this long without a notification, the link is checked (detected dead within about
    // three command timeouts).
    long quietMillis = 2 * connections.commandTimeout().toMillis();
    while (!isClosed()) {
      boolean retrying = catchUpPending;
      Object event = events.poll(retrying ? retryMillis : quietMillis, TimeUnit.MILLISECONDS);
      if (event == STOP) {
        return;
      }
      if (event == null && !retrying) {
        if (!answers()) {
          LOG.warn(
              "the Redis subscription connection did not answer a PING within {}; reconnecting",
              connections.commandTimeout());
          subscribed = false;
          connections
              .state()
              .down(
                  link,
                  new BackendException("the Redis subscription connection stopped answering"));
          closeConnection();
          if (!connectUntilDone()) {
            return;
          }
        }
        continue;
      }
      if (event == null || event == SUBSCRIBED) {
        // A retry tick, or a (re-)subscription: everything since highest comes from the backlog.
        catchUp(null);
        if (event == SUBSCRIBED) {
          subscribed = true;
          if (!isClosed()) {
            connections.state().up(link);
          }
          firstAttempt.countDown();
        }
        continue;
      }
      onNotification((String) event);
    }
  }

  private void onNotification(String payload) {
    if (RedisKeys.UNSUBSCRIBE_TOKEN.equals(payload)) {
      // SPEC §3.2.6: a Ruby process shutting down broadcasts this; it must not silence us.
      LOG.debug("ignoring a foreign {} notification", RedisKeys.UNSUBSCRIBE_TOKEN);
      return;
    }
    BackendMessage m;
    try {
      m = BackendMessage.decode(payload);
    } catch (IllegalArgumentException e) {
      LOG.warn("ignoring an unreadable notification: {}", e.getMessage());
      return;
    }
    if (catchUpPending) {
      catchUp(m);
      return;
    }
    if (m.globalId() == highest + 1) {
      highest = m.globalId();
      backend.sawGlobalId(highest);
      deliver(m);
    } else if (m.globalId() > highest) {
      catchUp(m);
    } else {
      // A duplicate, unless the store restarted its ids.
      try {
        if (backend.lastGlobalId() < highest) {
          catchUp(null);
        }
      } catch (RuntimeException e) {
        catchUpPending = true;
      }
    }
  }

  /**
   * Delivers the global backlog after {@link #highest}. Returns false (and leaves catch-up pending)
   * when Redis cannot be read.
   *
   * @param trigger the notification that revealed the gap, or null: it carries its own message, so
   *     it is delivered from the notification if its backlog entry is already gone (trimmed)
   */
  private boolean catchUp(@Nullable BackendMessage trigger) {
    long deliveredBefore = deliveredCount;
    try {
      long current = backend.lastGlobalId();
      if (highest > current) {
        LOG.info(
            "Redis global id went back from {} to {} (reset or flushed): replaying from 0",
            highest,
            current);
        highest = 0;
      }
      List<GlobalBacklogReader.GlobalEntry> entries =
          backend.globalBacklogReader().entries(highest);
      for (GlobalBacklogReader.GlobalEntry e : entries) {
        if (e.globalId() <= highest) {
          continue;
        }
        if (trigger != null && trigger.globalId() > highest && trigger.globalId() < e.globalId()) {
          // The notified message has no entry any more, but later ones do: keep the order.
          highest = trigger.globalId();
          fill(trigger);
        }
        if (e.globalId() > highest + 1) {
          LOG.warn(
              "messages {} to {} left the Redis global backlog before this subscriber read them",
              highest + 1,
              e.globalId() - 1);
        }
        highest = e.globalId();
        if (e.message() != null) {
          fill(e.message());
        } else if (trigger != null && trigger.globalId() == e.globalId()) {
          fill(trigger);
        }
      }
      if (trigger != null && trigger.globalId() > highest) {
        // Its global backlog entry is gone too (trimmed by a burst): the notification has it.
        highest = trigger.globalId();
        fill(trigger);
      }
      catchUpPending = false;
      return true;
    } catch (RuntimeException e) {
      if (!catchUpPending) {
        LOG.warn(
            "Redis catch-up failed ({}), retrying every {}",
            e.getMessage(),
            connections.retryInterval());
      }
      catchUpPending = true;
      return false;
    } finally {
      if (deliveredCount > deliveredBefore) {
        backend.observer().backendCatchUp((int) (deliveredCount - deliveredBefore));
      }
    }
  }

  /** Delivers a message read by catch-up, counting it for the observer. */
  private void fill(BackendMessage m) {
    backend.sawGlobalId(m.globalId());
    deliveredCount++;
    deliver(m);
  }

  private void closeConnection() {
    StatefulRedisPubSubConnection<String, String> c = pubSub;
    pubSub = null;
    if (c != null) {
      // Synchronous, so a client shutdown right after does not close it a second time.
      c.close();
    }
  }

  @Override
  public boolean isSubscribed() {
    StatefulRedisPubSubConnection<String, String> c = pubSub;
    return subscribed && !isClosed() && c != null && c.isOpen();
  }

  @Override
  protected void onClose() {
    subscribed = false;
    backend.removed(this);
    connections.state().forget(link);
    events.add(STOP);
    closeConnection();
  }
}
