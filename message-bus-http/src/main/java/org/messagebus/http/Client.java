// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of one web client (SPEC §5.2): who it is, what it subscribed to, and, once held, its
 * asynchronous response.
 *
 * <p><b>Threads.</b> Built and prepared on the request thread. Once held it is touched by its
 * fan-out lane or the bus dispatch thread ({@link #offer}), the timeout wheel and a newer poll of
 * the same client ({@link #close}), and the transport ({@link #onWritePossible}, {@link #onError},
 * {@link #onComplete}, and {@link #gone} when its disconnect watch sees the client close its
 * connection). Every output operation happens under {@link #lock}. Output uses non-blocking I/O:
 * bytes wait in {@link #pending} until the transport reports that the socket takes more, so no
 * thread ever blocks on a slow or dead client.
 *
 * <p><b>Exactly once.</b> The response completes once: the first of a message (non-streaming), the
 * timeout, a replacing poll, a write failure, the client's close or the container's error ends it
 * (the disconnect watch is cancelled first, under the lock); later attempts are no-ops ({@link
 * #finishing} and {@link #completed} decide). While the poll is being registered, live messages are
 * buffered; {@link #goLive} merges them with the messages read after registration, dropping any id
 * already delivered, so nothing published during registration is lost or sent twice. Afterwards a
 * per-channel high-water mark drops live pushes the client already has (a dispatch thread lagging
 * behind the store pushes what the backlog read already returned).
 *
 * <p><b>Size.</b> Over 500 lines because one poll's state machine (registration buffer, high-water
 * marks, non-blocking output, cut-off, exactly-once completion) shares one lock; split, each part
 * would need that lock.
 */
final class Client implements HttpExchange.HeldListener {

  private static final Logger LOG = LoggerFactory.getLogger(Client.class);
  private static final int LINEAR_SEARCH_LIMIT = 8;
  private static final String[] NO_CHANNELS = {};
  private static final long[] NO_POSITIONS = {};

  final String id;
  final @Nullable Object userId;
  final List<Object> groupIds;
  final @Nullable String siteId;
  final long seq;
  final LinkedHashMap<String, Long> subscriptions;
  // The fan-out lane that writes live messages to this poll; set at registration.
  volatile int lane;
  // Whether the connection manager indexes this poll: written under its lock, read without it.
  volatile boolean indexed;
  // Told what this poll sends (the engine's observers); set before hold.
  HttpObserver observer = HttpObserver.NOOP;
  // While a fan-out delivers to this poll (under lock): where its deliveries and bytes are counted
  // instead, told to the observer once per fan-out.
  private @Nullable Tally tally;
  // Whether the client asked for the loss signal (LossSignal); set before backlog.
  boolean reportLoss;
  // Whether backlog keeps the positions asked for (a Server-Sent Events stream's ids need them;
  // a poll does not, and skips the copy); set before backlog.
  boolean keepAskedPositions;
  // The positions the client asked for, before backlog moved them (for the event ids).
  private Map<String, Long> askedPositions = Map.of();
  // How the poll ended, for the observer: set by the first ending (under lock), read once done.
  private volatile HttpObserver.PollOutcome outcome = HttpObserver.PollOutcome.DISCONNECTED;

  private final ObjectMapper json;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean done = new AtomicBoolean();
  // guarded by lock
  private @Nullable HttpExchange out;
  private boolean streaming;
  // Whether the filter writes the chunk framing of the stream itself (StreamFraming).
  private boolean framed;
  // A Server-Sent Events stream (streaming too): events instead of pieces, heartbeats on the
  // timeout wheel until its end.
  private boolean sse;
  private long sseHeartbeatNanos;
  private long sseEndNanos;
  // Sized for the common case (nothing waits): a held poll keeps 24 bytes, not 88.
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>(1);
  // The bytes in pending, and how many may wait before a stream is cut off.
  private long pendingBytes;
  private long maxUnsentBytes = Long.MAX_VALUE;
  private Runnable onCutOff = () -> {};
  private boolean needsFlush;
  private boolean finishing;
  private boolean completed;
  private boolean live;
  private List<Push> buffered = new ArrayList<>();
  // The high-water mark: per subscribed channel, the highest message id the client has. Set when
  // the poll goes live; a HashMap index only for polls with many channels.
  private String[] positionChannels = NO_CHANNELS;
  private long[] positions = NO_POSITIONS;
  private @Nullable Map<String, Integer> positionIndex;
  private @Nullable TimeoutWheel wheel;
  private HttpExchange.DisconnectWatch watch = HttpExchange.DisconnectWatch.NONE;
  // Links of the timeout wheel, guarded by the wheel's bucket monitor.
  @Nullable Object wheelBucket;
  @Nullable Client wheelPrev;
  @Nullable Client wheelNext;
  long wheelDeadline;
  private Runnable onDone = () -> {};

  // the channels' order is the client's, so the type says LinkedHashMap
  @SuppressWarnings("NonApiType")
  Client(
      String id,
      @Nullable Object userId,
      List<Object> groupIds,
      @Nullable String siteId,
      long seq,
      LinkedHashMap<String, Long> subscriptions,
      ObjectMapper json) {
    this.id = id;
    this.userId = userId;
    this.groupIds = groupIds;
    this.siteId = siteId;
    this.seq = seq;
    this.subscriptions = subscriptions;
    this.json = json;
  }

  /**
   * Computes what the client has missed (SPEC §4.6): the permitted messages after each position,
   * and a trailing {@code /__status} for channels at -1, ahead of the server, or with a withheld
   * message. Updates {@link #subscriptions} to the positions the client will hold.
   *
   * <p>The positions are read before the backlogs, so a message published in between is in a
   * backlog but above its channel's position. A status names the higher of the two: the newest
   * message examined on the channel (delivered or withheld). Clients apply the status after the
   * messages, so a status below a message of the same reply would move them back, and they would
   * receive that message again. This holds for per-channel ids (Redis) and global ids (memory,
   * PostgreSQL) alike: only ids of one channel are compared.
   */
  List<Message> backlog(MessageBus bus) {
    return backlog(bus, null);
  }

  /**
   * Computes the backlog as {@link #backlog(MessageBus)} does, answering each channel the recent
   * window can vouch for from it (its newest id and messages) and asking the store, in one {@code
   * lastIds} call and one backlog read per channel, only for the others.
   */
  List<Message> backlog(MessageBus bus, @Nullable RecentWindow window) {
    return Objects.requireNonNull(backlog(bus, window, true));
  }

  /**
   * Computes the backlog as {@link #backlog(MessageBus, RecentWindow)} does, or, when {@code
   * mayBlock} is false and a channel needs the store, returns null having changed nothing.
   */
  @Nullable List<Message> backlog(MessageBus bus, @Nullable RecentWindow window, boolean mayBlock) {
    // Every poll comes here, most of them current (nothing to answer): the per-channel state is
    // kept in arrays by the channel's index, and the rarer parts (status, loss) are made on use.
    List<String> channels = new ArrayList<>(subscriptions.keySet());
    int n = channels.size();
    if (n == 0) {
      return new ArrayList<>();
    }
    if (keepAskedPositions) {
      askedPositions = new HashMap<>(subscriptions);
    }
    long[] current = new long[n];
    // the messages after the position that the window or a reset read already; null: the store's
    List<?>[] known = new List<?>[n];
    List<String> ask = null;
    for (int i = 0; i < n; i++) {
      String channel = channels.get(i);
      RecentWindow.Read read =
          window == null
              ? null
              : window.read(channel, siteId, Objects.requireNonNull(subscriptions.get(channel)));
      // A client that asked for the loss signal and is behind reads the store: the window may
      // still hold what the store trimmed (its retention, or a publish's maxBacklogSize, is not on
      // the wire), so only the store can say what was lost. A current poll needs neither.
      if (read != null && reportLoss && !read.after().isEmpty()) {
        read = null;
      }
      if (read != null) {
        current[i] = read.lastId();
        known[i] = read.after();
      } else {
        if (ask == null) {
          ask = new ArrayList<>(n);
        }
        ask.add(channel);
        current[i] = FROM_STORE;
      }
    }
    if (ask != null) {
      if (!mayBlock) {
        return null;
      }
      Map<String, Long> stored = bus.lastIds(ask, siteId);
      for (int i = 0; i < n; i++) {
        if (current[i] == FROM_STORE) {
          current[i] =
              Objects.requireNonNull(stored.get(channels.get(i)), "lastIds returns every channel");
        }
      }
    }
    List<Message> result = new ArrayList<>();
    boolean[] needStatus = null;
    Map<String, Map<String, Object>> lost = null;
    for (int i = 0; i < n; i++) {
      String channel = channels.get(i);
      long requested = Objects.requireNonNull(subscriptions.get(channel));
      long now = current[i];
      long after;
      if (requested == PollRequest.FROM_NOW) {
        subscriptions.put(channel, now);
        continue;
      } else if (requested < -1) {
        after = Math.max(0, now + requested + 1);
      } else if (requested == -1) {
        needStatus = mark(needStatus, n, i);
        continue;
      } else if (requested == now) {
        continue;
      } else if (requested > now && reportLoss) {
        // The ids restarted: the channel's retained messages from the start of its new numbering.
        List<Message> fresh = bus.backlog(channel, 0, siteId);
        long first = fresh.isEmpty() ? now + 1 : fresh.get(0).messageId();
        if (lost == null) {
          lost = new LinkedHashMap<>();
        }
        lost.put(channel, LossSignal.range(1, first - 1, true));
        known[i] = fresh;
        needStatus = mark(needStatus, n, i);
        after = 0;
      } else if (requested > now) {
        subscriptions.put(channel, -1L);
        needStatus = mark(needStatus, n, i);
        continue;
      } else {
        after = requested;
      }
      @SuppressWarnings("unchecked") // only lists of messages are put there
      List<Message> messages = (List<Message>) known[i];
      if (messages == null && reportLoss && requested > 0) {
        if (lost == null) {
          lost = new LinkedHashMap<>();
        }
        messages = backlogNoticingLoss(bus, channel, requested, now, lost);
        if (lost.containsKey(channel)) {
          needStatus = mark(needStatus, n, i);
        }
      }
      if (messages == null) {
        messages = bus.backlog(channel, after, siteId);
      }
      for (int k = 0, size = messages.size(); k < size; k++) {
        Message m = messages.get(k);
        if (m.messageId() > now) {
          now = m.messageId();
          current[i] = now;
        }
        if (Permissions.allowed(bus, this, m)) {
          result.add(m);
        } else {
          needStatus = mark(needStatus, n, i);
        }
      }
      if (requested < -1) {
        // A look-behind is answered: the client holds the channel's newest id from now on.
        subscriptions.put(channel, now);
      }
    }
    if (needStatus != null) {
      Map<String, Long> status = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        if (needStatus[i]) {
          String channel = channels.get(i);
          status.put(channel, current[i]);
          subscriptions.put(channel, current[i]);
        }
      }
      result.add(Message.status(status));
    }
    if (lost != null && !lost.isEmpty()) {
      result.add(0, LossSignal.message(lost));
    }
    return result;
  }

  // In backlog's array of positions: a channel whose newest id the store tells (never an id).
  private static final long FROM_STORE = Long.MIN_VALUE;

  /** Marks channel {@code i} as needing a status entry, making the marks on first use. */
  private static boolean[] mark(boolean @Nullable [] marks, int n, int i) {
    boolean[] m = marks == null ? new boolean[n] : marks;
    m[i] = true;
    return m;
  }

  /**
   * Reads a channel's backlog after {@code position} from the store, noting in {@code lost} the ids
   * that are gone. It reads from one id earlier: when the message at the position is still
   * retained, the backlog after it is complete (retention keeps a channel's newest messages), and
   * nothing is lost. Otherwise the ids between the position and the oldest retained message are
   * gone; with global ids (memory, PostgreSQL) some of them may never have been the channel's, so
   * when exactly the messages after the position are retained the range is a false alarm.
   */
  private List<Message> backlogNoticingLoss(
      MessageBus bus,
      String channel,
      long position,
      long now,
      Map<String, Map<String, Object>> lost) {
    List<Message> read = bus.backlog(channel, position - 1, siteId);
    if (!read.isEmpty() && read.get(0).messageId() == position) {
      return read.subList(1, read.size());
    }
    long first = read.isEmpty() ? now + 1 : read.get(0).messageId();
    if (first > position + 1) {
      lost.put(channel, LossSignal.range(position + 1, first - 1, false));
    }
    return read;
  }

  /**
   * The highest message id the client has, per channel, once the backlog is delivered: the position
   * it holds or the newest backlog message, whichever is greater. A read-only view of {@link
   * #subscriptions} when the backlog carries no message (a current poll: no copy), a copy
   * otherwise.
   */
  Map<String, Long> positionsAfter(List<Message> backlog) {
    Map<String, Long> delivered = null;
    for (int i = 0, n = backlog.size(); i < n; i++) {
      Message m = backlog.get(i);
      if (!m.isStatus() && !LossSignal.isLoss(m)) {
        if (delivered == null) {
          delivered = new LinkedHashMap<>(subscriptions);
        }
        delivered.merge(m.channel(), m.messageId(), Math::max);
      }
    }
    return delivered != null ? delivered : Collections.unmodifiableMap(subscriptions);
  }

  /**
   * Holds the response: installs the non-blocking writer and, when streaming, queues the first
   * piece (the backlog, or {@code []}). Headers must already be set; {@code framed} tells whether
   * the stream's chunk framing is ours to write. Runs on the request thread.
   */
  void hold(
      HttpExchange x, boolean stream, boolean framed, List<Message> backlog, Runnable whenDone)
      throws IOException {
    hold(x, stream, framed, backlog, whenDone, Long.MAX_VALUE, () -> {});
  }

  /**
   * Holds the response as {@link #hold(HttpExchange, boolean, boolean, List, Runnable)} does; a
   * stream whose unsent bytes would exceed {@code maxUnsentBytes} is cut off (see {@link #queue}),
   * and {@code cutOff} is told.
   */
  void hold(
      HttpExchange x,
      boolean stream,
      boolean framed,
      List<Message> backlog,
      Runnable whenDone,
      long maxUnsentBytes,
      Runnable cutOff)
      throws IOException {
    lock.lock();
    try {
      this.streaming = stream;
      this.framed = stream && framed;
      this.onDone = whenDone;
      this.maxUnsentBytes = maxUnsentBytes;
      this.onCutOff = cutOff;
      if (stream) {
        enqueue(
            framedPiece(
                backlog.isEmpty() ? Wire.EMPTY_PIECE : Wire.piece(Wire.json(json, backlog))));
        observer.delivered(backlog.size());
      }
      out = x;
      x.hold(this);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Holds the response as a Server-Sent Events stream: queues the {@code retry:} field and the
   * backlog, one event per message, each with the positions the client holds once it has the event
   * as its id. Headers must already be set. The stream ends at {@code endNanos} on the ticker;
   * until then the timeout wheel calls {@link #expire} every {@code heartbeatNanos} for a
   * heartbeat. Runs on the request thread.
   */
  void holdEvents(
      HttpExchange x,
      List<Message> backlog,
      byte[] retry,
      Runnable whenDone,
      long maxUnsentBytes,
      Runnable cutOff,
      long heartbeatNanos,
      long endNanos)
      throws IOException {
    lock.lock();
    try {
      this.streaming = true;
      this.sse = true;
      this.sseHeartbeatNanos = heartbeatNanos;
      this.sseEndNanos = endNanos;
      this.onDone = whenDone;
      this.maxUnsentBytes = maxUnsentBytes;
      this.onCutOff = cutOff;
      enqueue(retry);
      List<String> channels = new ArrayList<>(subscriptions.keySet());
      long[] running = new long[channels.size()];
      for (int i = 0; i < running.length; i++) {
        // From the position asked for, unless the reply moves the client elsewhere (-1, a
        // look-behind, a position ahead): a status in the reply must not raise the ids of the
        // events before it above the messages they precede.
        long settled = Objects.requireNonNull(subscriptions.get(channels.get(i)));
        long asked = askedPositions.getOrDefault(channels.get(i), PollRequest.FROM_NOW);
        running[i] = asked >= 0 && asked <= settled ? asked : settled;
      }
      for (Message m : backlog) {
        if (LossSignal.isLoss(m) && m.data() instanceof Map<?, ?> lost) {
          // A channel whose ids restarted is read from the start of its new numbering.
          for (Map.Entry<?, ?> e : lost.entrySet()) {
            int k = channels.indexOf(String.valueOf(e.getKey()));
            if (k >= 0 && e.getValue() instanceof Map<?, ?> range && range.containsKey("reset")) {
              running[k] = 0;
            }
          }
        } else if (m.isStatus()) {
          if (m.data() instanceof Map<?, ?> status) {
            for (Map.Entry<?, ?> e : status.entrySet()) {
              int k = channels.indexOf(String.valueOf(e.getKey()));
              if (k >= 0 && e.getValue() instanceof Number n) {
                running[k] = n.longValue();
              }
            }
          }
        } else {
          int k = channels.indexOf(m.channel());
          if (k >= 0) {
            running[k] = Math.max(running[k], m.messageId());
          }
        }
        enqueue(Wire.concat(Wire.sseId(running), Wire.sseData(Wire.json(json, List.of(m)))));
      }
      observer.delivered(backlog.size());
      out = x;
      x.hold(this);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The timeout wheel reached this poll's deadline: a Server-Sent Events stream before its end
   * sends a heartbeat and waits for the next; anything else ends ({@link #close}). Returns whether
   * the poll ended (the caller unregisters it).
   */
  boolean expire(long nowNanos) {
    lock.lock();
    try {
      if (finishing || completed) {
        return true;
      }
      TimeoutWheel w = wheel;
      if (sse && w != null && nowNanos - sseEndNanos < 0) {
        queue(Wire.SSE_HEARTBEAT);
        drain();
        if (finishing || completed) {
          return true;
        }
        w.add(this, Math.min(nowNanos + sseHeartbeatNanos, sseEndNanos));
        return false;
      }
    } finally {
      lock.unlock();
    }
    close(HttpObserver.PollOutcome.TIMEOUT);
    return true;
  }

  /** Arms the long-polling timeout, unless the poll is already finishing. */
  void timeout(TimeoutWheel timeouts, long deadlineNanos) {
    lock.lock();
    try {
      if (!finishing && !completed) {
        wheel = timeouts;
        timeouts.add(this, deadlineNanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Delivers a live message (already permitted). Buffered until {@link #goLive}. A message at or
   * before the position the client already holds on its channel (read from the backlog, or pushed
   * earlier) was delivered already and is dropped, unless the channel's ids restarted (SPEC §5.1).
   * Returns whether the client is finished afterwards.
   */
  boolean offer(Push p) {
    return offer(p, null);
  }

  /** {@link #offer(Push)}, counting what it sends in a fan-out's tally (if not null). */
  boolean offer(Push p, @Nullable Tally t) {
    lock.lock();
    try {
      tally = t;
      return offerLocked(p, true);
    } finally {
      tally = null;
      lock.unlock();
    }
  }

  /**
   * Delivers several live messages at once (a fan-out lane that fell behind): one lock and one
   * drain for all of them (each is still its own chunk). Returns whether the client is finished
   * afterwards.
   */
  boolean offer(List<Push> pushes) {
    return offer(pushes, null);
  }

  /** {@link #offer(List)}, counting what it sends in a fan-out's tally (if not null). */
  boolean offer(List<Push> pushes, @Nullable Tally t) {
    lock.lock();
    try {
      tally = t;
      for (Push p : pushes) {
        if (offerLocked(p, false)) {
          break;
        }
      }
      drain();
      return finishing || completed;
    } finally {
      tally = null;
      lock.unlock();
    }
  }

  /**
   * Counts delivered messages: in the fan-out's tally if one is running, else with the observer.
   */
  private void countDelivered(int messages) {
    Tally t = tally;
    if (t == null || !t.add(observer, messages, 0)) {
      observer.delivered(messages);
    }
  }

  /** Counts written bytes, as {@link #countDelivered}. */
  private void countWritten(long bytes) {
    Tally t = tally;
    if (t == null || !t.add(observer, 0, bytes)) {
      observer.bytesWritten(bytes);
    }
  }

  private boolean offerLocked(Push p, boolean flush) {
    if (finishing || completed) {
      return true;
    }
    if (!live) {
      buffered.add(p);
      return false;
    }
    if (!advance(p)) {
      return false;
    }
    countDelivered(1);
    if (streaming) {
      queue(sse ? Wire.sseEvent(positions, p.sseData()) : framed ? p.chunk() : p.piece());
      if (flush) {
        drain();
      }
    } else {
      endAs(HttpObserver.PollOutcome.DATA);
      respond(p.body());
    }
    return finishing || completed;
  }

  /**
   * Switches to live delivery: sends what was read after registration and what was buffered
   * meanwhile, each message once, in order. {@code delivered} holds the highest id the client has
   * per channel; it becomes the client's high-water mark.
   */
  void goLive(List<Message> caughtUp, Map<String, Long> delivered) {
    lock.lock();
    try {
      int n = delivered.size();
      positionChannels = new String[n];
      positions = new long[n];
      int i = 0;
      for (Map.Entry<String, Long> e : delivered.entrySet()) {
        positionChannels[i] = e.getKey();
        positions[i] = e.getValue();
        i++;
      }
      if (n > LINEAR_SEARCH_LIMIT) {
        positionIndex = new HashMap<>(n * 2);
        for (int k = 0; k < n; k++) {
          positionIndex.put(positionChannels[k], k);
        }
      }
      live = true;
      List<Push> held = buffered;
      buffered = List.of();
      // delivered (from positionsAfter) holds every subscribed channel and caughtUp reads only
      // those, so k < 0 cannot happen here; it is skipped defensively.
      for (Message m : caughtUp) {
        int k = indexOf(m.channel());
        if (k < 0 || m.messageId() <= positions[k]) {
          continue;
        }
        positions[k] = m.messageId();
        if (finishing || completed) {
          return;
        }
        write(m);
      }
      for (Push p : held) {
        if (finishing || completed) {
          return;
        }
        if (advance(p)) {
          write(p.message);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Moves the high-water mark of the message's channel; false if the client has the message. */
  private boolean advance(Push p) {
    Message m = p.message;
    int k = indexOf(m.channel());
    if (k < 0) {
      return true;
    }
    long had = positions[k];
    if (m.messageId() <= had && !p.idsRestartedBelow(had)) {
      return false;
    }
    positions[k] = m.messageId();
    return true;
  }

  private int indexOf(String channel) {
    if (positionIndex != null) {
      Integer k = positionIndex.get(channel);
      return k == null ? -1 : k;
    }
    for (int k = 0; k < positionChannels.length; k++) {
      if (positionChannels[k].equals(channel)) {
        return k;
      }
    }
    return -1;
  }

  private void write(Message m) {
    byte[] body = Wire.json(json, List.of(m));
    countDelivered(1);
    if (sse) {
      queue(Wire.sseEvent(positions, Wire.sseData(body)));
      drain();
    } else if (streaming) {
      queue(framedPiece(Wire.piece(body)));
      drain();
    } else {
      endAs(HttpObserver.PollOutcome.DATA);
      respond(body);
    }
  }

  /**
   * Queues a piece of the stream, unless the client has stopped reading: when the bytes still
   * waiting for it and this piece would exceed the cap, the stream ends instead. The unsent pieces
   * are dropped whole and the stream is closed as a timeout closes it; the client, whose positions
   * moved only with what it received, polls again from there and reads the rest from the backlog.
   * One piece is always accepted, whatever its size. Under the lock, with {@link #streaming}.
   */
  private void queue(byte[] piece) {
    if (!pending.isEmpty() && pendingBytes + piece.length > maxUnsentBytes) {
      LOG.debug(
          "stream of client {} cut off: {} bytes unsent, the client does not read",
          id,
          pendingBytes);
      pending.clear();
      pendingBytes = 0;
      cancelTimeout();
      if (!sse) {
        enqueue(framed ? Wire.CLOSING_CHUNKS : Wire.EMPTY_PIECE);
      }
      endAs(HttpObserver.PollOutcome.CUT_OFF);
      finish();
      if (out != null) {
        out.closeConnectionWhenDone(); // a client that does not read keeps no connection
      }
      onCutOff.run();
      return;
    }
    enqueue(piece);
  }

  private void enqueue(byte[] bytes) {
    pending.add(bytes);
    pendingBytes += bytes.length;
  }

  /** A piece as the stream sends it: one complete chunk when the framing is ours. */
  private byte[] framedPiece(byte[] piece) {
    return framed ? Wire.chunk(piece) : piece;
  }

  private void respond(byte[] body) {
    HttpExchange out = Objects.requireNonNull(this.out, "set by hold");
    out.contentLength(body.length);
    enqueue(body);
    finish();
    cancelTimeout();
    drain();
  }

  /** Ends the poll with {@code []} (timeout, replaced by a newer poll, shutdown). Idempotent. */
  void close() {
    close(HttpObserver.PollOutcome.SHUTDOWN);
  }

  /** Ends the poll as {@link #close()} does, telling the observer why. */
  void close(HttpObserver.PollOutcome why) {
    lock.lock();
    try {
      if (finishing || completed || out == null) {
        return;
      }
      endAs(why);
      cancelTimeout();
      if (streaming) {
        if (!sse) {
          enqueue(framed ? Wire.CLOSING_CHUNKS : Wire.EMPTY_PIECE);
        }
        finish();
        drain();
      } else {
        respond(Wire.EMPTY_ARRAY);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Records how the poll ends, unless it is ending already. Under the lock. */
  private void endAs(HttpObserver.PollOutcome why) {
    if (!finishing && !completed) {
      outcome = why;
    }
  }

  /** How the poll ended (DISCONNECTED until something else ended it). */
  HttpObserver.PollOutcome outcome() {
    return outcome;
  }

  boolean isClosed() {
    lock.lock();
    try {
      return finishing || completed;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks the poll as ending and stops watching its connection before the last bytes go out: once a
   * client has its reply it may send its next request on the same connection (kept alive), and
   * those bytes are not the watch's to read.
   */
  private void finish() {
    finishing = true;
    watch.cancel();
  }

  /** Writes what the socket takes now; the container calls back when it takes more. */
  private void drain() {
    if (out == null || completed) {
      return;
    }
    try {
      while (out.isReady()) {
        // Flush after every piece: each piece is exactly one HTTP chunk (SPEC §4.12), also when
        // several are queued, and is on its way before the next one is written.
        if (needsFlush) {
          needsFlush = false;
          out.flush();
          continue;
        }
        byte[] next = pending.poll();
        if (next != null) {
          pendingBytes -= next.length;
          out.write(next);
          countWritten(next.length);
          needsFlush = true;
        } else {
          if (finishing) {
            completed = true;
            watch.cancel();
            out.complete();
          }
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      failLocked(e);
    }
  }

  private void failLocked(Throwable t) {
    if (!completed) {
      completed = true;
      pending.clear();
      pendingBytes = 0;
      cancelTimeout();
      LOG.debug("poll of client {} ended by a failure: {}", id, t.toString());
      watch.cancel();
      try {
        if (out != null) {
          out.complete();
        }
      } catch (RuntimeException ignored) {
        // already completed by the transport
      }
    }
  }

  /**
   * Starts watching the connection for the client's close, unless the poll is ending. Started under
   * the lock, so no completion can slip between the start and the recording of the watch (Jetty
   * must find it cancelled when the response completes).
   */
  void watch(Supplier<HttpExchange.DisconnectWatch> start) {
    lock.lock();
    try {
      if (!finishing && !completed) {
        watch = start.get();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The client closed its connection while the poll was held: ends the poll without writing
   * anything more and unregisters it. Runs on a transport thread.
   */
  void gone() {
    lock.lock();
    try {
      failLocked(new IOException("the client closed the connection"));
    } finally {
      lock.unlock();
    }
    finished();
  }

  private void cancelTimeout() {
    if (wheel != null) {
      wheel.remove(this);
      wheel = null;
    }
  }

  private void finished() {
    if (done.compareAndSet(false, true)) {
      onDone.run();
    }
  }

  @Override
  public void onWritePossible() {
    lock.lock();
    try {
      drain();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onError(Throwable t) {
    lock.lock();
    try {
      failLocked(t);
    } finally {
      lock.unlock();
    }
    finished();
  }

  @Override
  public void onComplete() {
    lock.lock();
    try {
      completed = true;
      cancelTimeout();
      watch.cancel();
    } finally {
      lock.unlock();
    }
    finished();
  }

  @Override
  public String toString() {
    return "Client{" + id + ", seq=" + seq + '}';
  }
}
