// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settled horizon of one table: the highest id below which every id is either committed (its
 * row is visible, or was and has been trimmed) or known lost (its transaction rolled back, or is
 * still open after the late-commit window). Readers hand out positions only up to it.
 *
 * <p><b>Why.</b> PostgreSQL takes an id when a row is inserted, but transactions commit in any
 * order: id 7 may be visible while id 6 is still in flight. A poller that read 7 and moved its
 * position to 7 would never see 6 ("in-flight id loss"). So no read returns a row, or a position,
 * above the first id that is neither visible nor settled.
 *
 * <p><b>How.</b> A scan reads the ids after the horizon and advances it over every id that is
 * visible. At the first gap it records a checkpoint: the database time of the scan and the highest
 * id it saw. Every id of a gap below that id was taken before the scan by a transaction that held
 * {@code ROW EXCLUSIVE} on the table from before it took its id until it ends. Once no transaction
 * that began at or before the checkpoint still holds that lock ({@code pg_locks} joined to {@code
 * pg_stat_activity}), every such transaction has committed or rolled back, and a new scan sees
 * every row it committed: the horizon jumps to the checkpoint's id. If such a transaction is still
 * open after {@code lateCommitWindow} (on the injected {@link Clock}), its ids are given up: the
 * horizon jumps anyway, with a warning, and a row committed later below it is not handed out to
 * pollers past it. A table whose newest id fell below the horizon was reset: the horizon restarts
 * at 0.
 *
 * <p><b>Cost.</b> One scan (an index range read of the ids after the horizon, usually a handful)
 * per refresh; at a gap, one {@code pg_locks} query and, when it settles at once (trimmed rows, a
 * rollback long done), a second scan. Positions (and deliveries) wait for a gap to settle: usually
 * a commit later; for a transactional publish in a long transaction, until it ends, at most the
 * late-commit window.
 *
 * <p><b>Concurrency.</b> Shared by every reader and subscription of the backend; {@code lock}
 * guards all state, and is held during the queries of one refresh (on the caller's connection).
 * Concurrent readers share refreshes: a reader that waited for the lock while a refresh that began
 * after its own call ran uses that refresh's horizon (it saw every commit the reader could have
 * seen), so many polls at once cost about one scan per scan time, not one each. The horizon only
 * grows, except by {@link #reset()} and a detected reset of the table.
 */
final class SettledHorizon {

  private static final Logger LOG = LoggerFactory.getLogger(SettledHorizon.class);

  private final Sql sql;
  private final Clock clock;
  private final Duration window;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong started = new AtomicLong(); // refreshes begun, numbered 1, 2, ...

  // guarded by lock
  private long settled;
  private long newest;
  private @Nullable Timestamp checkpointAt; // null: no checkpoint pending
  private long checkpointUpTo;
  private long checkpointSince; // clock millis
  private long completed; // the number of the newest refresh that finished

  SettledHorizon(Sql sql, Clock clock, Duration window) {
    this.sql = sql;
    this.clock = clock;
    this.window = window;
  }

  /** The horizon as last computed, without a query. */
  long settled() {
    lock.lock();
    try {
      return settled;
    } finally {
      lock.unlock();
    }
  }

  /** The newest id the last scan saw (visible, settled or not). */
  long newest() {
    lock.lock();
    try {
      return newest;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Advances the horizon by one id a subscription saw committed (its announcement), when every id
   * below it is already settled: no query needed.
   *
   * @return true if the id is now within the horizon
   */
  boolean advanceTo(long id) {
    lock.lock();
    try {
      if (id == settled + 1) {
        settled = id;
        newest = Math.max(newest, id);
        return true;
      }
      return id <= settled;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets everything: the table was dropped and re-created. */
  void reset() {
    lock.lock();
    try {
      settled = 0;
      newest = 0;
      checkpointAt = null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Computes the horizon on a connection (autocommit: each statement sees what committed before
   * it).
   *
   * @return the horizon: every id up to it is committed or settled
   */
  long refresh(Connection c) throws SQLException {
    long startedBefore = started.get();
    lock.lock();
    try {
      if (completed > startedBefore) {
        // A refresh that began after this call did (so after any commit the caller saw) has just
        // finished while we waited for the lock: its horizon serves this call too.
        return settled;
      }
      long number = started.incrementAndGet();
      if (checkpointAt != null) {
        settleCheckpoint(c);
      }
      scan(c);
      if (checkpointAt != null && settleCheckpoint(c)) {
        // A gap that settled at once (trimmed rows, a rollback long done): read what follows it.
        scan(c);
      }
      completed = number;
      return settled;
    } finally {
      lock.unlock();
    }
  }

  /** Returns true if the pending checkpoint settled (caller holds lock). */
  private boolean settleCheckpoint(Connection c) throws SQLException {
    Timestamp oldest;
    try (PreparedStatement ps = c.prepareStatement(sql.oldestWriter);
        ResultSet rs = ps.executeQuery()) {
      oldest = rs.next() ? rs.getTimestamp(1) : null;
    }
    if (oldest == null || oldest.after(checkpointAt)) {
      // Every transaction that held an id of the gap has ended: the next scan sees its row.
      settled = Math.max(settled, checkpointUpTo);
      checkpointAt = null;
      return true;
    } else if (clock.millis() - checkpointSince >= window.toMillis()) {
      LOG.warn(
          "ids below {} were taken by a transaction still open after the late-commit window ({});"
              + " giving them up: a message it commits later reaches subscribers late at best, and"
              + " pollers past it never",
          checkpointUpTo,
          window);
      settled = Math.max(settled, checkpointUpTo);
      checkpointAt = null;
      return true;
    }
    return false;
  }

  // caller holds lock
  private void scan(Connection c) throws SQLException {
    Timestamp now;
    long max;
    long[] ids;
    try (PreparedStatement ps = c.prepareStatement(sql.horizonScan)) {
      ps.setLong(1, settled);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        now = rs.getTimestamp(1);
        max = rs.getLong(2);
        Array array = rs.getArray(3);
        try {
          Object[] values = (Object[]) array.getArray();
          ids = new long[values.length];
          for (int i = 0; i < ids.length; i++) {
            ids[i] = ((Number) values[i]).longValue();
          }
        } finally {
          array.free();
        }
      }
    }
    if (max < settled) {
      // The table was reset (by another process): ids start again.
      LOG.info(
          "the newest id {} is below the settled horizon {}: the table was reset", max, settled);
      settled = 0;
      checkpointAt = null;
      newest = max;
      scan(c);
      return;
    }
    newest = Math.max(max, ids.length == 0 ? 0 : ids[ids.length - 1]);
    for (long id : ids) {
      if (id != settled + 1) {
        if (checkpointAt == null) {
          checkpointAt = now;
          checkpointUpTo = ids[ids.length - 1];
          checkpointSince = clock.millis();
        }
        return;
      }
      settled = id;
    }
  }
}
