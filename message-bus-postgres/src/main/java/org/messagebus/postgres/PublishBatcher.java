// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;
import org.messagebus.spi.BackendPublishOptions;

/**
 * Group commit of concurrent publishes: publishes that arrive while another batch is being written
 * wait in a queue, and the next of them to lead writes up to {@code maxBatch} of them in one
 * transaction, one statement and one round trip (see {@link PgQueries#publishGroup}). Every publish
 * is a commit, and PostgreSQL serialises the commits of transactions that {@code NOTIFY}; one
 * commit for many publishes multiplies what concurrent publishers get through. A lone publisher is
 * not slowed: its batch is itself, written in autocommit as before.
 *
 * <p><b>Concurrency.</b> No thread of its own: the publishing threads take turns. {@code lock}
 * guards the queue and {@code writing}; a thread whose publish is still queued when nobody writes
 * becomes the writer for one batch (the oldest publishes, its own among them unless the queue is
 * longer than a batch), then hands over; before taking it, it may wait for the batch to fill (see
 * {@link #gather}). Ids, rows and announcements of a batch keep the order in which the publishes
 * were queued. A message whose channel a later message of the batch trims with the same limits
 * skips its own trim (trimming keeps the newest rows, so once at the end leaves the same rows);
 * trimming, not the commit, is most of a publish's cost. A batch that fails with an error of the
 * database's own (not a lost connection), or that would have to trim its own rows, is written one
 * publish per transaction, so one bad message fails alone.
 *
 * <p><b>Trim floor.</b> Trimmed rows stay in the table's indexes until {@code VACUUM} (with the
 * default autovacuum, up to a minute's worth; without it, for ever), and the global and channel
 * trims are range scans from the lowest id: they would walk every one of them on every publish, and
 * a publish would get slower the longer the bus runs. So the writer keeps a floor, an id up to
 * which no row exists nor can appear, and the trims scan only above it. After a group's trim
 * committed, every row the statement saw up to {@code trimmedAt - maxGlobalBacklogSize} is gone;
 * every id up to the {@linkplain SettledHorizon settled horizon} read before the statement was
 * committed (so seen) or will never be: the floor rises to the lower of the two. A row that a
 * transaction open for longer than the late-commit window commits below the horizon is not
 * protected by it: every {@value #FULL_TRIM_EVERY}th group therefore trims from id 0, as does every
 * message written alone. With no reader keeping the horizon current, the writer refreshes it every
 * {@value #REFRESH_EVERY} groups while it holds the floor down. A floor at or above a new id means
 * the table was re-created: the statement then trims from 0 and the floor restarts.
 */
final class PublishBatcher {

  /** One publish waiting for its batch. */
  private static final class Pending {
    final String channel;
    final String payload;
    final BackendPublishOptions options;
    long id; // written before done
    @Nullable RuntimeException failure; // written before done
    volatile boolean done;

    Pending(String channel, String payload, BackendPublishOptions options) {
      this.channel = channel;
      this.payload = payload;
      this.options = options;
    }
  }

  /** Every this many groups, the trims scan from id 0 (see the class comment). */
  static final int FULL_TRIM_EVERY = 1024;

  /** While the horizon holds the floor down, it is refreshed every this many groups. */
  static final int REFRESH_EVERY = 64;

  private final PgConnections connections;
  private final PgQueries queries;
  private final SettledHorizon horizon;
  private final int maxBatch;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by lock
  private final Condition arrived = lock.newCondition();
  private boolean writing; // guarded by lock
  private boolean gathering; // guarded by lock: the writer waits in gather()
  private int expected; // guarded by lock: how many publishes gather() waits for
  private int lastBatchSize = 1; // guarded by lock
  private long lastWriteNanos; // guarded by lock

  // Written only by the writer of a batch; one writer at a time, handed over under lock.
  private long floor; // no row with an id up to it exists or can appear
  private long groups; // groups written
  private long refreshedAt; // groups at the last horizon refresh
  private boolean floorHeldByHorizon; // the last floor update was bounded by the horizon

  PublishBatcher(
      PgConnections connections, PgQueries queries, SettledHorizon horizon, int maxBatch) {
    this.connections = connections;
    this.queries = queries;
    this.horizon = horizon;
    this.maxBatch = maxBatch;
  }

  /**
   * Publishes one message, possibly in one transaction with others.
   *
   * @return its id
   * @throws BackendException if it could not be stored
   */
  long publish(String channel, String payload, BackendPublishOptions options) {
    if (maxBatch == 1) {
      return connections.withConnection(
          "publish to " + channel, c -> queries.publish(c, channel, payload, options));
    }
    Pending me = new Pending(channel, payload, options);
    lock.lock();
    try {
      queue.addLast(me);
      if (gathering && queue.size() >= expected) {
        arrived.signal();
      }
      while (!me.done) {
        if (writing) {
          finished.awaitUninterruptibly();
          continue;
        }
        writing = true;
        gather();
        List<Pending> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
        while (batch.size() < maxBatch && !queue.isEmpty()) {
          batch.add(queue.pollFirst());
        }
        lock.unlock();
        long start = System.nanoTime();
        try {
          write(batch);
        } finally {
          lock.lock();
          lastBatchSize = batch.size();
          lastWriteNanos = System.nanoTime() - start;
          writing = false;
          finished.signalAll();
        }
      }
      if (me.failure != null) {
        throw me.failure;
      }
      return me.id;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Called by the writer, holding the lock, before it takes its batch: if the last batch was larger
   * than what is queued, waits (at most half as long as the last batch took to write) for that many
   * publishes. The publishers of the last batch were all released at once, and the first of them to
   * come back would otherwise write a batch of one while the others queue behind it; then batches
   * alternate between one and the rest, and each costs a commit. A lone publisher (last batch of
   * one) never waits; when publishers drop away, one batch waits out its bound.
   */
  private void gather() {
    int want = Math.min(lastBatchSize, maxBatch);
    if (queue.size() >= want) {
      return;
    }
    long remaining = lastWriteNanos / 2;
    expected = want;
    gathering = true;
    try {
      while (queue.size() < want && remaining > 0) {
        remaining = arrived.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // write what is queued; the caller sees the flag
    } finally {
      gathering = false;
    }
  }

  /** How many publishes wait for a batch (for tests). */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** The trim floor (for tests). */
  long floor() {
    lock.lock(); // orders this read after the last writer's handover
    try {
      return floor;
    } finally {
      lock.unlock();
    }
  }

  /** Forgets the trim floor: the table was re-created. Called before any publish to it. */
  void resetFloor() {
    lock.lock();
    try {
      floor = 0;
      floorHeldByHorizon = false;
    } finally {
      lock.unlock();
    }
  }

  /** Writes a batch and records each outcome (the caller then takes the lock and signals). */
  private void write(List<Pending> batch) {
    int n = batch.size();
    String[] channels = new String[n];
    String[] payloads = new String[n];
    BackendPublishOptions[] options = new BackendPublishOptions[n];
    boolean[] trim = new boolean[n];
    int[] newer = new int[n];
    for (int i = 0; i < n; i++) {
      Pending p = batch.get(i);
      channels[i] = p.channel;
      payloads[i] = p.payload;
      options[i] = p.options;
      trim[i] = !trimmedLater(batch, i);
      for (int j = 0; j <= i; j++) {
        newer[i] += batch.get(j).channel.equals(p.channel) ? 1 : 0;
      }
      if (trim[i] && newer[i] > queries.maxBacklogSize(p.options)) {
        // The group would have to trim its own rows, which one statement cannot see: write each
        // message alone (only with a channel limit smaller than the group).
        for (Pending q : batch) {
          writeAlone(q);
        }
        return;
      }
    }
    groups++;
    long useFloor = groups % FULL_TRIM_EVERY == 0 ? 0 : floor;
    boolean refresh = floorHeldByHorizon && groups - refreshedAt >= REFRESH_EVERY;
    long[] settled = new long[1];
    try {
      PgQueries.GroupResult result =
          connections.withConnection(
              n == 1 ? "publish to " + channels[0] : "publish of " + n + " messages",
              c -> {
                // Read before the statement: every id up to it is then visible to it, or never.
                settled[0] = refresh ? horizon.refresh(c) : horizon.settled();
                return queries.publishGroup(c, channels, payloads, options, trim, newer, useFloor);
              });
      if (refresh) {
        refreshedAt = groups;
      }
      advanceFloor(result, settled[0]);
      long[] ids = result.ids();
      for (int i = 0; i < ids.length; i++) {
        Pending p = batch.get(i);
        p.id = ids[i];
        p.done = true;
      }
    } catch (BackendException e) {
      if (n > 1
          && e.getCause() instanceof SQLException sql
          && !PgConnections.isConnectionFailure(sql)) {
        for (Pending p : batch) {
          writeAlone(p); // one bad message fails alone
        }
        return;
      }
      for (Pending p : batch) {
        p.failure = e;
        p.done = true;
      }
    } catch (RuntimeException e) {
      for (Pending p : batch) {
        p.failure = e;
        p.done = true;
      }
    }
  }

  /** Raises the floor after a group committed (see the class comment). */
  private void advanceFloor(PgQueries.GroupResult result, long settledBefore) {
    long first = result.ids()[0];
    for (long id : result.ids()) {
      first = Math.min(first, id);
    }
    if (first <= floor) {
      // The table was re-created behind our back (the statement trimmed from 0): so was the
      // horizon's.
      floor = 0;
      horizon.reset();
      floorHeldByHorizon = false;
      return;
    }
    if (result.trimmedAt() > 0) {
      long trimmed = result.trimmedAt() - queries.maxGlobalBacklogSize();
      floorHeldByHorizon = settledBefore < trimmed;
      floor = Math.max(floor, Math.min(settledBefore, trimmed));
    }
  }

  /** True if a later message of the batch trims this one's channel with the same limits. */
  private boolean trimmedLater(List<Pending> batch, int i) {
    Pending p = batch.get(i);
    for (int j = i + 1; j < batch.size(); j++) {
      Pending later = batch.get(j);
      if (queries.sameTrim(p.channel, p.options, later.channel, later.options)) {
        return true;
      }
    }
    return false;
  }

  private void writeAlone(Pending p) {
    try {
      p.id =
          connections.withConnection(
              "publish to " + p.channel, c -> queries.publish(c, p.channel, p.payload, p.options));
    } catch (RuntimeException e) {
      p.failure = e;
    }
    p.done = true;
  }
}
