// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.memory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.messagebus.BusClosedException;
import org.messagebus.spi.AbstractBackendSubscription;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.DaemonThreads;
import org.messagebus.spi.MessageIdScheme;
import org.messagebus.spi.OptionChecks;
import org.messagebus.spi.Retention;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backend} that keeps everything in this process's memory (SPEC §3.4): for tests,
 * development and single-process applications. Message id equals global id.
 *
 * <p><b>Concurrency.</b> One lock guards the store (the id counter, the channels and the global
 * index). {@link #publish} allocates the id, stores and trims the message and hands it to every
 * subscription's queue while holding the lock, so every subscription receives messages in global id
 * order. Each subscription drains its own unbounded queue on its own daemon thread: a slow listener
 * delays only itself (its queue grows). A subscription replaying the backlog registers under the
 * same lock as its backlog snapshot, so replay and live messages neither overlap nor leave a gap.
 *
 * <p><b>Retention.</b> A channel keeps exactly its newest {@code maxBacklogSize} messages (Ruby
 * trims by global-id distance instead; SPEC §3.4 ADOPT) and the store its newest {@code
 * maxGlobalBacklogSize}; both trims run when the new id is a multiple of {@code clearEvery}. A
 * timer, every {@link Builder#expiryInterval expiryInterval}, deletes every channel whose newest
 * message is older than the channel's age limit: the backend's {@code maxBacklogAge}, or for good
 * the last per-publish override given for that channel.
 */
public final class MemoryBackend implements Backend {

  /** Default of {@link Builder#expiryInterval}: one second. */
  public static final Duration DEFAULT_EXPIRY_INTERVAL = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(MemoryBackend.class);
  private static final BackendMessage END = new BackendMessage(-1, -1, "", "");

  private final Retention retention;
  private final Clock clock;
  private final Duration expiryInterval;

  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private long counter;
  private final Map<String, Channel> channels = new HashMap<>();
  private final TreeMap<Long, Entry> global = new TreeMap<>();
  private final List<Sub> subscriptions = new ArrayList<>();
  private @Nullable ScheduledExecutorService expiryTimer;

  private volatile boolean closed;

  private MemoryBackend(Builder b) {
    this.retention = b.retention;
    this.clock = b.clock;
    this.expiryInterval = b.expiryInterval;
    startExpiryTimer();
  }

  /**
   * Creates a memory backend with the default retention.
   *
   * @return a new backend
   */
  public static MemoryBackend create() {
    return builder().build();
  }

  /**
   * Starts a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public long publish(String channel, String payload, BackendPublishOptions options) {
    requireOpen();
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    lock.lock();
    try {
      long id = ++counter;
      Channel ch =
          channels.computeIfAbsent(channel, c -> new Channel(c, retention.maxBacklogAge()));
      if (options.maxBacklogAge() != null) {
        ch.maxAge = options.maxBacklogAge();
      }
      Entry e = new Entry(new BackendMessage(id, id, channel, payload), ch, clock.instant());
      ch.entries.addLast(e);
      global.put(id, e);
      if (id % retention.clearEvery() == 0) {
        trimGlobal(id);
        int maxSize = options.effectiveMaxBacklogSize(retention);
        while (ch.entries.size() > maxSize) {
          global.remove(ch.entries.pollFirst().message.globalId());
        }
      }
      for (Sub s : subscriptions) {
        s.queue.add(e.message);
      }
      return id;
    } finally {
      lock.unlock();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new BusClosedException("the memory backend is closed; call reconnect() first");
    }
  }

  private void trimGlobal(long id) {
    long keepAfter = id - retention.maxGlobalBacklogSize();
    if (keepAfter <= 0) {
      return;
    }
    Iterator<Map.Entry<Long, Entry>> it = global.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Entry> oldest = it.next();
      if (oldest.getKey() > keepAfter) {
        break;
      }
      it.remove();
      // Entries leave in id order, so this one is its channel's oldest.
      Channel ch = oldest.getValue().channel;
      ch.entries.pollFirst();
      if (ch.entries.isEmpty()) {
        channels.remove(ch.name);
      }
    }
  }

  @Override
  public long lastId(String channel) {
    requireOpen();
    lock.lock();
    try {
      Channel ch = channels.get(channel);
      return ch == null || ch.entries.isEmpty() ? 0 : ch.entries.peekLast().message.messageId();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long lastGlobalId() {
    requireOpen();
    lock.lock();
    try {
      return counter;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<BackendMessage> backlog(String channel, long lastId) {
    requireOpen();
    lock.lock();
    try {
      Channel ch = channels.get(channel);
      if (ch == null) {
        return List.of();
      }
      ArrayDeque<BackendMessage> newest = new ArrayDeque<>();
      for (Iterator<Entry> it = ch.entries.descendingIterator(); it.hasNext(); ) {
        BackendMessage m = it.next().message;
        if (m.messageId() <= lastId) {
          break;
        }
        newest.addFirst(m);
      }
      return List.copyOf(newest);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<BackendMessage> globalBacklog(long lastGlobalId) {
    requireOpen();
    lock.lock();
    try {
      return snapshotAfter(lastGlobalId);
    } finally {
      lock.unlock();
    }
  }

  private List<BackendMessage> snapshotAfter(long lastGlobalId) {
    List<BackendMessage> result = new ArrayList<>();
    for (Entry e : global.tailMap(lastGlobalId, false).values()) {
      result.add(e.message);
    }
    return result;
  }

  @Override
  public @Nullable BackendMessage getMessage(String channel, long messageId) {
    requireOpen();
    lock.lock();
    try {
      Entry e = global.get(messageId);
      return e != null && e.channel.name.equals(channel) ? e.message : null;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
    requireOpen();
    Objects.requireNonNull(listener, "listener");
    Sub sub = new Sub(listener);
    lock.lock();
    try {
      if (lastGlobalId >= 0) {
        long from = lastGlobalId > counter ? 0 : lastGlobalId;
        sub.queue.addAll(snapshotAfter(from));
      }
      subscriptions.add(sub);
    } finally {
      lock.unlock();
    }
    sub.thread.start();
    return sub;
  }

  @Override
  public void reset() {
    requireOpen();
    lock.lock();
    try {
      counter = 0;
      channels.clear();
      global.clear();
    } finally {
      lock.unlock();
    }
  }

  /** Deletes every backlog; the id counter goes on, so new messages keep their ascending ids. */
  @Override
  public void expireAllBacklogs() {
    requireOpen();
    lock.lock();
    try {
      channels.clear();
      global.clear();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Runs one expiry pass now: deletes every channel whose newest message is older than its age
   * limit. The backend runs this every {@code expiryInterval} on its own.
   */
  public void expireNow() {
    Instant now = clock.instant();
    lock.lock();
    try {
      for (Iterator<Channel> it = channels.values().iterator(); it.hasNext(); ) {
        Channel ch = it.next();
        Entry newest = ch.entries.peekLast();
        if (newest == null || newest.publishedAt.plus(ch.maxAge).isBefore(now)) {
          for (Entry e : ch.entries) {
            global.remove(e.message.globalId());
          }
          it.remove();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** {@link MessageIdScheme#GLOBAL}: message ids are global ids, dispatched in order. */
  @Override
  public MessageIdScheme messageIdScheme() {
    return MessageIdScheme.GLOBAL;
  }

  @Override
  public Retention retention() {
    return retention;
  }

  @Override
  public void reconnect() {
    closed = false;
    startExpiryTimer();
  }

  @Override
  public void close() {
    closed = true;
    List<Sub> toClose;
    ScheduledExecutorService timer;
    lock.lock();
    try {
      toClose = new ArrayList<>(subscriptions);
      timer = expiryTimer;
      expiryTimer = null;
    } finally {
      lock.unlock();
    }
    toClose.forEach(Sub::close);
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private void startExpiryTimer() {
    lock.lock();
    try {
      if (expiryTimer != null) {
        return;
      }
      expiryTimer = DaemonThreads.singleThreadScheduler("message-bus-memory-expiry");
      long nanos = expiryInterval.toNanos();
      // ends with the timer in close(); expireQuietly logs its own failures
      var unused =
          expiryTimer.scheduleWithFixedDelay(
              this::expireQuietly, nanos, nanos, TimeUnit.NANOSECONDS);
    } finally {
      lock.unlock();
    }
  }

  private void expireQuietly() {
    try {
      expireNow();
    } catch (RuntimeException e) {
      LOG.warn("memory backend expiry failed", e);
    }
  }

  private static final class Channel {
    final String name;
    final ArrayDeque<Entry> entries = new ArrayDeque<>();
    Duration maxAge;

    Channel(String name, Duration maxAge) {
      this.name = name;
      this.maxAge = maxAge;
    }
  }

  private record Entry(BackendMessage message, Channel channel, Instant publishedAt) {}

  /** One subscription: a queue drained by its own thread. */
  private final class Sub extends AbstractBackendSubscription implements Runnable {
    final LinkedBlockingQueue<BackendMessage> queue = new LinkedBlockingQueue<>();
    final Thread thread;

    Sub(BackendListener listener) {
      super(listener);
      this.thread = DaemonThreads.newThread("message-bus-memory-subscriber", this);
    }

    @Override
    @SuppressWarnings("ReferenceEquality") // END is a sentinel instance, compared by identity
    public void run() {
      try {
        while (!isClosed()) {

          BackendMessage m = queue.take();
          if (m == END || isClosed()) {
            return;
          }
          deliver(m);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public boolean isSubscribed() {
      return !isClosed();
    }

    @Override
    protected void onClose() {
      lock.lock();
      try {
        subscriptions.remove(this);
      } finally {
        lock.unlock();
      }
      queue.add(END);
    }
  }

  /** Builds a {@link MemoryBackend}; each setter documents its default. Not thread-safe. */
  public static final class Builder {
    private Retention retention = Retention.DEFAULTS;
    private Clock clock = Clock.systemUTC();
    private Duration expiryInterval = DEFAULT_EXPIRY_INTERVAL;

    private Builder() {}

    /**
     * Sets the backlog limits. Default {@link Retention#DEFAULTS} (1,000 per channel, 2,000 global,
     * 7 days, trim every publish).
     *
     * @param retention the limits
     * @return this builder
     */
    public Builder retention(Retention retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * Sets the clock that stamps messages and decides expiry. Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how often expired channels are deleted. Default one second.
     *
     * @param interval positive
     * @return this builder
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     */
    public Builder expiryInterval(Duration interval) {
      this.expiryInterval = OptionChecks.positive("expiryInterval", interval);
      return this;
    }

    /**
     * Builds the backend and starts its expiry timer.
     *
     * @return the backend
     */
    public MemoryBackend build() {
      return new MemoryBackend(this);
    }
  }
}
