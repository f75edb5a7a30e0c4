// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendState;
import org.messagebus.Message;
import org.messagebus.spi.ChannelNames;
import org.messagebus.spi.MessageIdScheme;

/**
 * The recent messages of each channel, as this process's firehose delivered them, so that a poll
 * that is current or a few messages behind is answered without asking the store (issue 13).
 *
 * <p><b>What an entry knows.</b> Per stored channel (the channel with its site): the newest message
 * id seen ({@code lastId}) and a ring of the newest messages, bounded by count and bytes. It is
 * <em>complete after</em> an id: it holds every message of the channel with an id above {@code
 * completeAfter} and up to {@code lastId}. How that is known depends on the backend's {@link
 * MessageIdScheme}:
 *
 * <ul>
 *   <li>{@link MessageIdScheme#PER_CHANNEL} (Redis): ids of a channel are consecutive, so the first
 *       message seen, {@code n}, makes the entry complete after {@code n - 1}, and each next one
 *       must be {@code lastId + 1}. A larger id means the firehose missed messages: the ring starts
 *       again from it. An id at or below {@code lastId} means the ids restarted (the channel
 *       expired, or the store was reset, by any process, Ruby included): the entry starts again.
 *   <li>{@link MessageIdScheme#GLOBAL} (memory, PostgreSQL): the firehose delivers the whole store
 *       in ascending global id, so an entry made from global id {@code g} is complete after the
 *       point from which this window has seen the stream without interruption, or after the newest
 *       id of any entry it dropped since, whichever is later. A global id at or below the highest
 *       seen means the store was reset: everything is dropped.
 * </ul>
 *
 * <p><b>When it does not answer.</b> A position it cannot vouch for gets null, and the caller asks
 * the store as before: no entry (a cold channel, or one evicted), a position below {@code
 * completeAfter}, a position <em>ahead</em> of {@code lastId} (another process may have dispatched
 * that message first: a lagging view must never reset a client), and anything while the backend is
 * not {@link BackendState#CONNECTED}: every change of state away from it, and back, drops
 * everything, since the firehose may miss messages meanwhile. An entry not updated for the store's
 * {@code maxBacklogAge} is dropped when next used (the store has expired that channel).
 *
 * <p><b>Bounds.</b> At most {@code maxMessages} and {@code maxChannelBytes} per channel (the oldest
 * messages leave the ring and {@code completeAfter} moves up), at most {@code maxChannels} entries
 * and {@code maxBytes} in all (the least recently used entries go). A message is counted at the
 * size of its JSON on the wire.
 *
 * <p><b>Threads.</b> {@link #add} runs on the bus's dispatch thread, before the message is handed
 * to the held polls, so a poll that registers and then reads the window misses nothing (see {@link
 * HttpEngine}); the readers are request threads; {@link #backendState} runs on the backend's
 * reporting thread. One lock guards everything; no call is made while holding it.
 */
final class RecentWindow {

  /** What the window knows about a message's place in its channel, for {@link Push}. */
  enum Verdict {
    /** The message follows what the window saw: its ids did not restart. */
    CONTINUES,
    /** The channel's ids restarted with this message (expiry or reset). */
    RESTARTED,
    /** The window cannot tell (no history of the channel, or not listening): ask the store. */
    UNKNOWN
  }

  /**
   * A channel's newest id and its messages after a position.
   *
   * @param lastId the newest message id the window saw on the channel
   * @param after the messages after the position asked for, ascending
   */
  record Read(long lastId, List<Message> after) {}

  private static final class Entry {
    final ArrayDeque<Message> ring = new ArrayDeque<>();
    final ArrayDeque<Integer> sizes = new ArrayDeque<>();
    long lastId;
    long completeAfter;
    long bytes;
    long touched;
  }

  private final boolean globalIds;
  private final int maxMessages;
  private final long maxChannelBytes;
  private final int maxChannels;
  private final long maxBytes;
  private final long maxIdleNanos;
  private final LongSupplier ticker;
  private final ReentrantLock lock = new ReentrantLock();

  // guarded by lock; access order: the least recently used entry comes first
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
  private long totalBytes;
  private boolean listening;
  // GLOBAL: the global id after which the stream was seen without interruption (-1: not yet)
  private long streamStart = -1;
  // GLOBAL: the newest id of any entry dropped since the stream start
  private long droppedFloor = -1;
  private long highestGlobalId = -1;
  // Moves whenever an entry goes (eviction, restart, clear): see caughtUp
  private long generation;

  /**
   * @param scheme how the backend numbers messages; not {@link MessageIdScheme#UNKNOWN}
   * @param maxMessages the most messages per channel, at least 1
   * @param maxChannelBytes the most bytes per channel (one message is always kept)
   * @param maxChannels the most channels
   * @param maxBytes the most bytes in all
   * @param maxIdleNanos an entry not updated for this long is dropped
   * @param ticker nanoseconds, monotonic
   */
  RecentWindow(
      MessageIdScheme scheme,
      int maxMessages,
      long maxChannelBytes,
      int maxChannels,
      long maxBytes,
      long maxIdleNanos,
      LongSupplier ticker) {
    if (scheme == MessageIdScheme.UNKNOWN) {
      throw new IllegalArgumentException("the window needs to know how the backend numbers ids");
    }
    this.globalIds = scheme == MessageIdScheme.GLOBAL;
    this.maxMessages = Math.max(1, maxMessages);
    this.maxChannelBytes = maxChannelBytes;
    this.maxChannels = Math.max(1, maxChannels);
    this.maxBytes = maxBytes;
    this.maxIdleNanos = maxIdleNanos;
    this.ticker = ticker;
  }

  /** The stored channel a message or a poll's channel lives in: the channel with its site. */
  static String key(String channel, @Nullable String siteId) {
    return siteId == null || ChannelNames.isGlobal(channel)
        ? channel
        : channel + ChannelNames.SITE_SEPARATOR + siteId;
  }

  /**
   * Follows the backend's connection state: anything but {@link BackendState#CONNECTED} stops the
   * window (and drops everything); {@code CONNECTED} after anything else starts it afresh.
   */
  void backendState(BackendState state) {
    lock.lock();
    try {
      boolean connected = state == BackendState.CONNECTED;
      if (connected != listening) {
        clearLocked();
        listening = connected;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Drops everything; the window fills again from the next message. */
  void clear() {
    lock.lock();
    try {
      clearLocked();
    } finally {
      lock.unlock();
    }
  }

  private void clearLocked() {
    entries.clear();
    totalBytes = 0;
    streamStart = -1;
    droppedFloor = -1;
    highestGlobalId = -1;
    generation++;
  }

  /**
   * Records a message the firehose delivered. Runs on the dispatch thread, before the held polls
   * get the message.
   *
   * @param m the message
   * @param bytes its size on the wire
   * @return what the window knows about the message's place in its channel
   */
  Verdict add(Message m, int bytes) {
    long now = ticker.getAsLong();
    lock.lock();
    try {
      if (!listening) {
        return Verdict.UNKNOWN;
      }
      long g = m.globalId();
      // The first message after a (re)start cannot tell whether the store was reset just before.
      boolean fresh = highestGlobalId < 0;
      boolean reset = !fresh && g <= highestGlobalId;
      if (reset) {
        clearLocked(); // the store was reset: every id restarted
      }
      highestGlobalId = g;
      if (globalIds && streamStart < 0) {
        streamStart = g - 1;
      }
      String key = key(m.channel(), m.siteId());
      Entry e = entries.get(key);
      if (e != null && now - e.touched > maxIdleNanos) {
        drop(key, e);
        e = null;
      }
      Verdict verdict;
      long id = m.messageId();
      if (e == null) {
        verdict =
            reset ? Verdict.RESTARTED : globalIds && !fresh ? Verdict.CONTINUES : Verdict.UNKNOWN;
        e = create(key, id);
      } else if (id <= e.lastId) {
        // Only PER_CHANNEL gets here: GLOBAL ids restart only with the global ids (above).
        drop(key, e);
        e = create(key, id);
        verdict = Verdict.RESTARTED;
      } else {
        verdict = Verdict.CONTINUES;
        if (!globalIds && id != e.lastId + 1) {
          // The firehose missed messages of this channel: start the ring again from here.
          totalBytes -= e.bytes;
          e.ring.clear();
          e.sizes.clear();
          e.bytes = 0;
          e.completeAfter = id - 1;
        }
      }
      e.ring.addLast(m);
      e.sizes.addLast(bytes);
      e.bytes += bytes;
      totalBytes += bytes;
      e.lastId = id;
      e.touched = now;
      while (e.ring.size() > maxMessages || (e.bytes > maxChannelBytes && e.ring.size() > 1)) {
        dropOldest(e);
      }
      evictWhileOver(e);
      return verdict;
    } finally {
      lock.unlock();
    }
  }

  private Entry create(String key, long firstId) {
    Entry e = new Entry();
    e.completeAfter = globalIds ? Math.max(streamStart, droppedFloor) : firstId - 1;
    entries.put(key, e);
    return e;
  }

  private void dropOldest(Entry e) {
    Message gone = e.ring.removeFirst();
    int size = e.sizes.removeFirst();
    e.bytes -= size;
    totalBytes -= size;
    e.completeAfter = gone.messageId();
  }

  private void drop(String key, Entry e) {
    entries.remove(key);
    totalBytes -= e.bytes;
    droppedFloor = Math.max(droppedFloor, e.lastId);
    generation++;
  }

  /** Evicts the least recently used entries (never {@code keep}) while over a bound. */
  private void evictWhileOver(Entry keep) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while ((entries.size() > maxChannels || totalBytes > maxBytes) && it.hasNext()) {
      Map.Entry<String, Entry> oldest = it.next();
      Entry e = oldest.getValue();
      if (e == keep) {
        continue;
      }
      it.remove();
      totalBytes -= e.bytes;
      droppedFloor = Math.max(droppedFloor, e.lastId);
      generation++;
    }
  }

  /**
   * Answers a poll's position on a channel, or returns null when the window cannot vouch for it
   * (the caller asks the store): no entry, a negative position, a position below what the entry
   * holds, or ahead of the newest id seen.
   *
   * @param channel the plain channel
   * @param siteId the client's site
   * @param position the client's position
   * @return the newest id and the messages after the position, or null
   */
  @Nullable Read read(String channel, @Nullable String siteId, long position) {
    if (position < 0) {
      return null;
    }
    lock.lock();
    try {
      Entry e = liveEntry(key(channel, siteId));
      if (e == null || position > e.lastId || position < e.completeAfter) {
        return null;
      }
      return new Read(e.lastId, after(e, position));
    } finally {
      lock.unlock();
    }
  }

  /**
   * What was delivered on a channel after a position, for a poll that registered after reading its
   * backlog at {@code token}: every message the firehose delivered with an id above the position
   * (none when the position is ahead of the newest seen: what has not been delivered yet will be
   * pushed to the registered poll). Null when the window cannot vouch for it.
   *
   * @param channel the plain channel
   * @param siteId the client's site
   * @param position the highest id the client has
   * @param token {@link #token()} read before the backlog was read
   * @return the messages, ascending, or null
   */
  @Nullable List<Message> caughtUp(
      String channel, @Nullable String siteId, long position, long token) {
    if (position < 0) {
      return null;
    }
    lock.lock();
    try {
      Entry e = liveEntry(key(channel, siteId));
      if (e == null) {
        // No entry now, and none removed since the token: none was made, so nothing was
        // delivered on the channel since then.
        return listening && generation == token ? List.of() : null;
      }
      if (position < e.completeAfter) {
        return null;
      }
      return after(e, position);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A mark to hand to {@link #caughtUp}: read before the backlog.
   *
   * @return the current generation
   */
  long token() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  // guarded by lock
  private @Nullable Entry liveEntry(String key) {
    if (!listening) {
      return null;
    }
    Entry e = entries.get(key);
    if (e != null && ticker.getAsLong() - e.touched > maxIdleNanos) {
      drop(key, e);
      return null;
    }
    return e;
  }

  private static List<Message> after(Entry e, long position) {
    if (position >= e.lastId) {
      return List.of();
    }
    List<Message> result = new ArrayList<>();
    Iterator<Message> it = e.ring.descendingIterator();
    while (it.hasNext()) {
      Message m = it.next();
      if (m.messageId() <= position) {
        break;
      }
      result.add(m);
    }
    Collections.reverse(result);
    return result;
  }

  /** The number of channels held (for tests). */
  int channels() {
    lock.lock();
    try {
      return entries.size();
    } finally {
      lock.unlock();
    }
  }

  /** The bytes held (for tests). */
  long bytes() {
    lock.lock();
    try {
      return totalBytes;
    } finally {
      lock.unlock();
    }
  }
}
