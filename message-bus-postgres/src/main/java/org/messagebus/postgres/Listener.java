// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.DaemonThreads;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The LISTEN connection of one backend, shared by all its subscriptions.
 *
 * <p><b>Concurrency.</b> One daemon thread owns the connection: it opens it, runs {@code LISTEN},
 * then waits for notifications in short slices and hands each announcement to every subscription's
 * queue (never calling a listener itself, so a slow listener cannot stall it). When the connection
 * fails it is closed, the thread waits {@code reconnectDelay} and opens a new one; right after
 * every successful {@code LISTEN} each subscription is told to catch up from the table, which
 * covers whatever was announced while no connection listened. Other threads only read the state
 * ({@link #isListening()}, {@link #pid()}) and, to stop or force a reconnect, abort the physical
 * connection, which wakes the thread at once. The lock guards {@code listening}, {@code connection}
 * and {@code pid}. The connection is the backend's {@code listen} link of its {@linkplain
 * org.messagebus.spi.BackendStateTracker connection state}: up while it listens, down when it is
 * lost (not when a reconnect was asked for), forgotten when stopped.
 */
final class Listener implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(Listener.class);
  private static final int POLL_MILLIS = 500;

  private final PostgresBackend backend;
  private final String channel;
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private volatile boolean running = true;
  private volatile boolean dropRequested;
  private boolean listening;
  private @Nullable Connection connection;
  private int pid = -1;

  Listener(PostgresBackend backend) {
    this.backend = backend;
    this.channel = backend.notificationChannel();
    this.thread = DaemonThreads.newThread("message-bus-postgres-listen", this);
  }

  void start() {
    thread.start();
  }

  @Override
  public void run() {
    while (running) {
      Connection c = null;
      DataSource from = null;
      boolean failed = false;
      int networkBefore = -1;
      try {
        from = backend.dataSource();
        c = from.getConnection();
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true);
        }
        networkBefore = backend.limitNetworkWait(c);
        PGConnection pg = c.unwrap(PGConnection.class);
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + channel);
        }
        connected(c, pg.getBackendPID());
        backend.state().up(PgConnections.LISTEN);
        for (PgSubscription s : backend.subscriptions) {
          s.catchUpNeeded();
        }
        long checkEvery = backend.networkTimeout().toNanos() / 2;
        long lastCheck = System.nanoTime();
        while (running) {
          PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
          if (checkEvery > 0 && System.nanoTime() - lastCheck >= checkEvery) {
            // Waiting for notifications sends nothing, so a link that silently drops packets
            // would look idle forever: a round trip, bounded by the network timeout, tells.
            try (Statement st = c.createStatement()) {
              st.execute("SELECT 1");
            }
            lastCheck = System.nanoTime();
          }
          if (notifications == null) {
            continue;
          }
          for (PGNotification n : notifications) {
            if (channel.equals(n.getName())) {
              for (PgSubscription s : backend.subscriptions) {
                s.announced(n.getParameter());
              }
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        failed = true;
        if (running && !dropRequested) {
          backend
              .state()
              .down(
                  PgConnections.LISTEN,
                  e instanceof SQLException sql
                      ? PgConnections.failure("LISTEN on " + channel, sql)
                      : e);
          LOG.warn(
              "LISTEN connection on {} lost ({}); reconnecting in {} ms",
              channel,
              e.getMessage(),
              backend.reconnectDelay().toMillis());
        }
      } finally {
        disconnected();
        // Stopped or dropped: the connection may have been aborted under us, so it is not reused.
        release(c, from, failed || dropRequested || !running, networkBefore);
      }
      if (dropRequested) {
        dropRequested = false; // asked for: reconnect at once
      } else if (running) {
        pause(backend.reconnectDelay());
      }
    }
  }

  private void connected(Connection c, int backendPid) {
    lock.lock();
    try {
      connection = c;
      pid = backendPid;
      listening = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void disconnected() {
    lock.lock();
    try {
      connection = null;
      pid = -1;
      listening = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands the connection back to {@code ds}, the pool it came from: {@link PostgresBackend#close}
   * forgets its own pool before stopping this thread, and a pool that does not evict an aborted
   * connection logs a warning when it is handed back.
   */
  private static void release(
      @Nullable Connection c, @Nullable DataSource ds, boolean broken, int networkBefore) {
    if (c == null) {
      return;
    }
    try {
      if (broken) {
        if (ds instanceof HikariDataSource hikari) {
          // The failure was seen on the unwrapped connection, so the pool does not know it is dead.
          hikari.evictConnection(c);
        }
      } else {
        try (Statement st = c.createStatement()) {
          st.execute("UNLISTEN *"); // the connection goes back to a pool: leave it clean
        }
        PgConnections.restoreNetworkWait(c, networkBefore);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("cleaning up the LISTEN connection failed", e);
    } finally {
      // Always hand it back: a connection never closed keeps its pool from shutting down.
      try {
        c.close();
      } catch (SQLException | RuntimeException e) {
        LOG.debug("closing the LISTEN connection failed", e);
      }
    }
  }

  private void pause(Duration delay) {
    lock.lock();
    try {
      long nanos = delay.toNanos();
      while (running && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until LISTEN is active, at most {@code max}. Returns quietly either way. */
  void awaitListening(Duration max) {
    lock.lock();
    try {
      long nanos = max.toNanos();
      while (running && !listening && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  boolean isListening() {
    lock.lock();
    try {
      return listening;
    } finally {
      lock.unlock();
    }
  }

  int pid() {
    lock.lock();
    try {
      return pid;
    } finally {
      lock.unlock();
    }
  }

  /** Breaks the current connection; the thread reconnects and the subscriptions catch up. */
  void dropConnection() {
    Connection c;
    lock.lock();
    try {
      c = connection;
      if (c != null) {
        dropRequested = true;
        listening = false;
      }
    } finally {
      lock.unlock();
    }
    abort(c);
  }

  /** Stops the thread and closes its connection; waits for it a short while. */
  void stop() {
    running = false;
    backend.state().forget(PgConnections.LISTEN);
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    dropConnection();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void abort(@Nullable Connection c) {
    if (c == null) {
      return;
    }
    try {
      Connection physical = c.unwrap(PGConnection.class) instanceof Connection pc ? pc : c;
      physical.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      LOG.debug("aborting the LISTEN connection failed", e);
    }
  }
}
