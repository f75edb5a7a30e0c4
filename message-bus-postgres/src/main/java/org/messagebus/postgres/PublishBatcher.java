// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.sql.Connection;
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
 * transaction (one statement each, then one commit). Every publish is a commit, and PostgreSQL
 * serialises the commits of transactions that {@code NOTIFY}; one commit for many publishes
 * multiplies what concurrent publishers get through. A lone publisher is not slowed: its batch is
 * itself, written in autocommit as before.
 *
 * <p><b>Concurrency.</b> No thread of its own: the publishing threads take turns. {@code lock}
 * guards the queue and {@code writing}; a thread whose publish is still queued when nobody writes
 * becomes the writer for one batch (the oldest publishes, its own among them unless the queue is
 * longer than a batch), then hands over. Ids, rows and announcements of a batch keep the order in
 * which the publishes were queued. A message whose channel a later message of the batch trims with
 * the same limits skips its own trim (trimming keeps the newest rows, so once at the end leaves the
 * same rows); trimming, not the commit, is most of a publish's cost. A batch that fails with an
 * error of the database's own (not a lost connection) is written again one publish per transaction,
 * so one bad message fails alone.
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

  private final PgConnections connections;
  private final PgQueries queries;
  private final int maxBatch;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by lock
  private boolean writing; // guarded by lock

  PublishBatcher(PgConnections connections, PgQueries queries, int maxBatch) {
    this.connections = connections;
    this.queries = queries;
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
      while (!me.done) {
        if (writing) {
          finished.awaitUninterruptibly();
          continue;
        }
        writing = true;
        List<Pending> batch = new ArrayList<>(Math.min(maxBatch, queue.size()));
        while (batch.size() < maxBatch && !queue.isEmpty()) {
          batch.add(queue.pollFirst());
        }
        lock.unlock();
        try {
          write(batch);
        } finally {
          lock.lock();
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

  /** Writes a batch and records each outcome (the caller then takes the lock and signals). */
  private void write(List<Pending> batch) {
    if (batch.size() == 1) {
      writeAlone(batch.get(0));
      return;
    }
    try {
      long[] ids =
          connections.withConnection(
              "publish of " + batch.size() + " messages",
              c -> {
                long[] result = new long[batch.size()];
                boolean auto = c.getAutoCommit();
                c.setAutoCommit(false);
                try {
                  for (int i = 0; i < result.length; i++) {
                    Pending p = batch.get(i);
                    result[i] =
                        trimmedLater(batch, i)
                            ? queries.publishWithoutTrim(c, p.channel, p.payload)
                            : queries.publish(c, p.channel, p.payload, p.options);
                  }
                  c.commit();
                } catch (SQLException | RuntimeException e) {
                  rollback(c, e);
                  throw e;
                } finally {
                  c.setAutoCommit(auto);
                }
                return result;
              });
      for (int i = 0; i < ids.length; i++) {
        Pending p = batch.get(i);
        p.id = ids[i];
        p.done = true;
      }
    } catch (BackendException e) {
      if (e.getCause() instanceof SQLException sql && !PgConnections.isConnectionFailure(sql)) {
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

  private static void rollback(Connection c, Exception e) {
    try {
      c.rollback();
    } catch (SQLException suppressed) {
      e.addSuppressed(suppressed);
    }
  }
}
