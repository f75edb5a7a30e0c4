package org.messagebus.postgres;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.messagebus.BackendException;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One global subscription: turns announcements and table reads into an exactly-once stream.
 *
 * <p><b>Concurrency.</b> The {@link Listener} thread (and {@link PostgresBackend#reset}) only put
 * events into this subscription's queue; one daemon thread per subscription takes them and owns all
 * state ({@code highest}, {@code holes}, {@code caughtUp}), reads the table on a borrowed
 * connection (released before any delivery) and calls the listener. A slow listener delays only its
 * own subscription.
 *
 * <p><b>State.</b> {@code highest} is the highest global id delivered (negative: not known yet,
 * taken from the table at the first catch-up). {@code holes} are ids below it that were not seen
 * when a later id was delivered — a transaction that had taken the id but not committed, or a row
 * already trimmed — each kept until a deadline ({@code lateCommitWindow}); an announcement or a
 * catch-up that finds one delivers it late. {@code caughtUp} remembers ids a catch-up delivered
 * whose announcement may still come, so that it is dropped without a query.
 *
 * <p><b>Events.</b> An announcement of {@code highest + 1} is delivered from its text (or, when the
 * message was too large to announce, from its row). An announcement further ahead triggers a
 * catch-up: the rows after {@code highest} and the holes, in id order. An announcement of an id at
 * or below {@code highest} is a hole (delivered), a known duplicate (dropped), or a sign that
 * another process reset the store (the table's newest id is below {@code highest}): then {@code
 * highest} restarts at 0. A failed read marks a catch-up as pending; it is retried every {@code
 * reconnectDelay} and before the next event.
 */
final class PgSubscription implements BackendSubscription, Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(PgSubscription.class);
  private static final int MAX_TRACKED = 10_000;

  private static final Object CATCH_UP = new Object();
  private static final Object RESET = new Object();
  private static final Object END = new Object();

  private record Announcement(String text) {}

  private final PostgresBackend backend;
  private final Listener connection;
  private final BackendListener listener;
  private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  // Owned by the subscription thread.
  private long highest;
  private boolean catchUpPending;
  private final Map<Long, Long> holes = bounded();
  private final Map<Long, Boolean> caughtUp = bounded();

  PgSubscription(
      PostgresBackend backend, Listener connection, long highest, BackendListener listener) {
    this.backend = backend;
    this.connection = connection;
    this.highest = highest;
    this.listener = listener;
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
    return !closed && connection.isListening();
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    backend.removed(this);
    events.add(END);
  }

  // ---------------------------------------------------------------- the subscription thread

  @Override
  public void run() {
    try {
      while (!closed) {
        Object event =
            catchUpPending
                ? events.poll(backend.reconnectDelay().toMillis(), TimeUnit.MILLISECONDS)
                : events.take();
        if (closed || event == END) {
          return;
        }
        if (catchUpPending && !catchUp()) {
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
    if (id == highest + 1) {
      highest = id;
      deliverAnnounced(id, text);
    } else if (id > highest + 1) {
      if (catchUp()) {
        caughtUp.remove(id);
      }
    } else if (holes.remove(id) != null) {
      deliverAnnounced(id, text);
    } else if (caughtUp.remove(id) == null) {
      checkForReset();
    }
  }

  /** An id at or below {@code highest} that we did not expect: another process may have reset. */
  private void checkForReset() {
    try {
      long max = backend.withConnection("reading the newest id", backend.queries()::maxId);
      if (max < highest) {
        restartAtZero();
        catchUp();
      }
    } catch (BackendException e) {
      catchUpPending = true;
    }
  }

  private void restartAtZero() {
    highest = 0;
    holes.clear();
    caughtUp.clear();
  }

  private void deliverAnnounced(long id, String text) {
    BackendMessage m;
    if (Sql.isIdOnly(text)) {
      try {
        m = backend.withConnection("reading message " + id, c -> backend.queries().byId(c, id));
      } catch (BackendException e) {
        LOG.warn("cannot read message {} yet: {}", id, e.getMessage());
        holes.put(id, deadline());
        catchUpPending = true;
        return;
      }
      if (m == null) {
        return; // trimmed before we could read it
      }
    } else {
      try {
        m = BackendMessage.decode(text);
      } catch (IllegalArgumentException e) {
        LOG.warn("ignoring an undecodable announcement: {}", abbreviate(text));
        return;
      }
    }
    deliver(m);
  }

  /**
   * Reads what was missed and delivers it. Returns false (and marks a catch-up as pending) when the
   * table could not be read.
   */
  private boolean catchUp() {
    List<BackendMessage> rows;
    long max;
    try {
      long[] maxHolder = new long[1];
      List<Long> wanted = new ArrayList<>();
      rows =
          backend.withConnection(
              "catch-up",
              c -> {
                maxHolder[0] = backend.queries().maxId(c);
                if (highest < 0 || highest > maxHolder[0]) {
                  return List.of();
                }
                pruneHoles();
                wanted.addAll(holes.keySet());
                return backend.queries().catchUp(c, highest, wanted);
              });
      max = maxHolder[0];
    } catch (BackendException e) {
      if (!catchUpPending) {
        LOG.warn(
            "catch-up failed, retrying every {}: {}", backend.reconnectDelay(), e.getMessage());
      }
      catchUpPending = true;
      return false;
    }
    catchUpPending = false;
    if (highest < 0) {
      highest = max; // live only: start after the newest id
      return true;
    }
    if (highest > max) {
      // The store was reset (or the position was beyond it): replay everything retained.
      restartAtZero();
      return catchUp();
    }
    for (BackendMessage m : rows) {
      if (closed) {
        return true;
      }
      long id = m.globalId();
      if (id <= highest) {
        if (holes.remove(id) != null) {
          caughtUp.put(id, Boolean.TRUE);
          deliver(m);
        }
        continue;
      }
      markHoles(highest + 1, id - 1);
      highest = id;
      caughtUp.put(id, Boolean.TRUE);
      deliver(m);
    }
    return true;
  }

  private void markHoles(long from, long to) {
    long start = Math.max(from, to - MAX_TRACKED + 1);
    long deadline = deadline();
    for (long id = start; id <= to; id++) {
      holes.put(id, deadline);
    }
  }

  private long deadline() {
    return backend.clock().millis() + backend.lateCommitWindow().toMillis();
  }

  private void pruneHoles() {
    long now = backend.clock().millis();
    for (Iterator<Long> it = holes.values().iterator(); it.hasNext(); ) {
      if (it.next() > now) {
        break; // inserted in deadline order
      }
      it.remove();
    }
  }

  private void deliver(BackendMessage m) {
    if (closed) {
      return;
    }
    try {
      listener.onMessage(m);
    } catch (RuntimeException e) {
      LOG.warn("subscriber failed on message {}, skipping", m.globalId(), e);
    }
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
