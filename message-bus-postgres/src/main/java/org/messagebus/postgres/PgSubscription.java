// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;
import org.messagebus.spi.AbstractBackendSubscription;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One global subscription: turns announcements and table reads into an exactly-once stream, in id
 * order, that never passes an id still in flight.
 *
 * <p><b>Concurrency.</b> The {@link Listener} thread (and {@link PostgresBackend#reset}) only put
 * events into this subscription's queue; one daemon thread per subscription takes them and owns all
 * state ({@code highest}, {@code waitingFor}, {@code caughtUp}), reads the table on a borrowed
 * connection (released before any delivery) and calls the listener. A slow listener delays only its
 * own subscription.
 *
 * <p><b>State.</b> {@code highest} is the position delivered up to (negative: not known yet, taken
 * from the table at the first catch-up); it never passes the backend's {@linkplain SettledHorizon
 * settled horizon}, so a transaction that took a lower id and commits later is never skipped.
 * {@code waitingFor} is the newest id announced or seen but not yet delivered because an id below
 * it has not settled: while it is ahead, the thread looks again every {@value #WAIT_TICK_MILLIS}
 * ms. {@code caughtUp} remembers ids a catch-up delivered whose announcement may still come, so
 * that it is dropped without a query.
 *
 * <p><b>Events.</b> An announcement of {@code highest + 1} is delivered from its text (or, when the
 * message was too large to announce, from its row), with no query: every id below it is settled. An
 * announcement further ahead triggers a catch-up: the horizon is refreshed and the rows after
 * {@code highest} up to it are delivered in order. An announcement of an id at or below {@code
 * highest} is a known duplicate (dropped), an id given up after the late-commit window (dropped),
 * or a sign that another process reset the store (the table's newest id is below {@code highest}):
 * then {@code highest} restarts at 0. A failed read marks a catch-up as pending; it is retried
 * every {@code reconnectDelay} and before the next event.
 */
final class PgSubscription extends AbstractBackendSubscription implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(PgSubscription.class);
  private static final int MAX_TRACKED = 10_000;

  /** How often a subscription looks again while an id below an announced one is in flight. */
  static final long WAIT_TICK_MILLIS = 10;

  private static final Object CATCH_UP = new Object();
  private static final Object RESET = new Object();
  private static final Object END = new Object();

  private record Announcement(String text) {}

  private final PostgresBackend backend;
  private final Listener connection;
  private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private final Thread thread;

  // Owned by the subscription thread.
  private long highest;
  private long waitingFor;
  private boolean catchUpPending;
  private final Map<Long, Boolean> caughtUp = bounded();

  PgSubscription(
      PostgresBackend backend, Listener connection, long highest, BackendListener listener) {
    super(listener);
    this.backend = backend;
    this.connection = connection;
    this.highest = highest;
    this.thread = DaemonThreads.newThread("message-bus-postgres-subscriber", this);
    events.add(CATCH_UP);
  }

  private static <V> Map<Long, V> bounded() {
    return new LinkedHashMap<>() {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, V> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }

  void start() {
    thread.start();
  }

  // ---------------------------------------------------------------- called by other threads

  void announced(String text) {
    events.add(new Announcement(text));
  }

  void catchUpNeeded() {
    events.add(CATCH_UP);
  }

  void storeWasReset() {
    events.add(RESET);
  }

  @Override
  public boolean isSubscribed() {
    return !isClosed() && connection.isListening();
  }

  @Override
  protected void onClose() {
    backend.removed(this);
    events.add(END);
  }

  // ---------------------------------------------------------------- the subscription thread

  @Override
  public void run() {
    try {
      while (!isClosed()) {
        boolean waiting = waitingFor > highest && highest >= 0;
        Object event;
        if (catchUpPending) {
          event = events.poll(backend.reconnectDelay().toMillis(), TimeUnit.MILLISECONDS);
        } else if (waiting) {
          event = events.poll(WAIT_TICK_MILLIS, TimeUnit.MILLISECONDS);
        } else {
          event = events.take();
        }
        if (isClosed() || event == END) {
          return;
        }
        if ((catchUpPending || (waiting && event == null)) && !catchUp()) {
          continue;
        }
        if (event == CATCH_UP) {
          catchUp();
        } else if (event == RESET) {
          restartAtZero();
        } else if (event instanceof Announcement a) {
          onAnnouncement(a.text());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void onAnnouncement(String text) {
    if (PostgresBackend.UNSUBSCRIBE.equals(text)) {
      return; // Ruby's "everyone stop": never ours to obey (SPEC 3.2.6).
    }
    long id = leadingId(text);
    if (id <= 0) {
      LOG.warn("ignoring an announcement that is not a message: {}", abbreviate(text));
      return;
    }
    if (highest < 0 && !catchUp()) {
      return;
    }
    if (id == highest + 1 && backend.horizon().advanceTo(id)) {
      // Every id below it is settled and it is committed: deliver without a query.
      deliverAnnounced(id, text);
    } else if (id > highest) {
      boolean alreadyWaiting = waitingFor > highest;
      waitingFor = Math.max(waitingFor, id);
      if (!alreadyWaiting && catchUp()) {
        caughtUp.remove(id);
      }
    } else if (caughtUp.remove(id) == null) {
      checkForReset(id);
    }
  }

  /** An id at or below {@code highest} that we did not expect: another process may have reset. */
  private void checkForReset(long id) {
    try {
      long max =
          backend.withConnection(
              "reading the newest id", c -> backend.queries().maxId(c, Long.MAX_VALUE));
      if (max < highest) {
        restartAtZero();
        catchUp();
      } else {
        LOG.warn("message {} committed after the late-commit window gave it up; not delivered", id);
      }
    } catch (BackendException e) {
      catchUpPending = true;
    }
  }

  private void restartAtZero() {
    highest = 0;
    waitingFor = 0;
    caughtUp.clear();
  }

  private void deliverAnnounced(long id, String text) {
    @Nullable BackendMessage m;
    if (Sql.isIdOnly(text)) {
      try {
        m =
            backend
                .withConnection(
                    "reading message " + id,
                    c -> Optional.ofNullable(backend.queries().byId(c, id)))
                .orElse(null);
        backend.observer().largePayloadFetched();
      } catch (BackendException e) {
        LOG.warn("cannot read message {} yet: {}", id, e.getMessage());
        waitingFor = Math.max(waitingFor, id);
        catchUpPending = true;
        return;
      }
    } else {
      try {
        m = BackendMessage.decode(text);
      } catch (IllegalArgumentException e) {
        LOG.warn("ignoring an undecodable announcement: {}", abbreviate(text));
        m = null;
      }
    }
    highest = id;
    if (m != null) { // null: trimmed before we could read it
      deliver(m);
    }
  }

  /**
   * Refreshes the settled horizon, reads the rows after {@code highest} up to it and delivers them.
   * Returns false (and marks a catch-up as pending) when the table could not be read.
   */
  private boolean catchUp() {
    List<BackendMessage> rows;
    long[] horizon = new long[2];
    try {
      rows =
          backend.withConnection(
              "catch-up",
              c -> {
                horizon[0] = backend.horizon().refresh(c);
                horizon[1] = backend.horizon().newest();
                if (highest < 0 || highest > horizon[1]) {
                  return List.of();
                }
                return backend.queries().globalBacklog(c, highest, horizon[0]);
              });
    } catch (BackendException e) {
      if (!catchUpPending) {
        LOG.warn(
            "catch-up failed, retrying every {}: {}", backend.reconnectDelay(), e.getMessage());
      }
      catchUpPending = true;
      return false;
    }
    catchUpPending = false;
    long settled = horizon[0];
    long newest = horizon[1];
    if (highest < 0) {
      highest = settled; // live only: start after what is settled now
      waitingFor = newest;
      return true;
    }
    if (highest > newest) {
      // The store was reset (or the position was beyond it): replay everything retained.
      restartAtZero();
      return catchUp();
    }
    int filled = 0;
    for (BackendMessage m : rows) {
      if (isClosed()) {
        return true;
      }
      long id = m.globalId();
      if (id <= highest) {
        continue;
      }
      highest = id;
      caughtUp.put(id, Boolean.TRUE);
      deliver(m);
      filled++;
    }
    if (filled > 0) {
      backend.observer().backendCatchUp(filled);
    }
    // Ids up to the horizon without a row are settled: rolled back, given up, or trimmed.
    highest = Math.max(highest, settled);
    waitingFor = Math.max(waitingFor, newest);
    return true;
  }

  /** The digits before the first pipe, or -1. */
  static long leadingId(String text) {
    int pipe = text.indexOf('|');
    if (pipe <= 0 || pipe > 19) {
      return -1;
    }
    long id = 0;
    for (int i = 0; i < pipe; i++) {
      char ch = text.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      id = id * 10 + (ch - '0');
    }
    return id;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
