// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.messagebus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol of one WebSocket of the bus (docs/http.md, "WebSocket"): it reads the client's
 * {@code subscribe} and {@code unsubscribe} frames, answers each subscription with its backlog (the
 * same array as a poll reply, {@code /__status} included), then pushes every permitted live message
 * of the subscribed channels as a one-message array, each message once.
 *
 * <p><b>Exactly once.</b> A subscription is indexed before its backlog is read; live messages that
 * arrive meanwhile are buffered, then sent after the backlog unless the backlog (or the status) had
 * them already. Afterwards a per-channel high-water mark drops a live message the client already
 * has (a lagging dispatcher), unless the channel's ids restarted below it.
 *
 * <p><b>Output.</b> One message is in flight at a time; the others wait in a queue bounded by
 * {@link WebSocketOptions#maxQueuedBytes()}. A client that lets more wait is closed with {@link
 * #CLOSE_SLOW_CONSUMER} and its queue dropped: memory stays bounded and nobody waits for it. It
 * resumes from the positions it received.
 *
 * <p><b>Threads.</b> Frames arrive on the container's thread, one at a time; live messages on the
 * bus dispatch thread; send callbacks on the container's threads; pings on the endpoint's ping
 * thread. Every state change happens under {@link #lock}; the backlog is read outside it.
 *
 * <p><b>Size.</b> Over 500 lines because one socket's state machine (frame parsing and checks,
 * per-subscription registration buffer, high-water marks, the bounded send queue and the close
 * codes) is kept under one lock in one place; the transport-neutral parts (targeting, status,
 * backlog) are {@link Client}'s.
 */
public final class WebSocketSession {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketSession.class);
  private static final int MAX_REASON_BYTES = 123;

  /** Close code when the server shuts down: 1001 (going away). Reconnect. */
  public static final int CLOSE_GOING_AWAY = 1001;

  /** Close code of a binary message: 1003 (unsupported data). Do not resend it. */
  public static final int CLOSE_UNSUPPORTED_DATA = 1003;

  /**
   * Close code of a message over {@link WebSocketOptions#maxFrameBytes()}: 1009 (message too big),
   * sent by the container. Do not resend it.
   */
  public static final int CLOSE_TOO_BIG = 1009;

  /** Close code when the backend failed while reading a backlog: 1011. Reconnect later. */
  public static final int CLOSE_SERVER_ERROR = 1011;

  /**
   * Close code of a frame the protocol does not accept: 4400 (malformed JSON, an unknown key, an
   * invalid channel name or position, too many channels); the reason says which. Do not resend it.
   */
  public static final int CLOSE_BAD_FRAME = 4400;

  /** Close code of a socket that did not answer a ping before the next was due: 4408. */
  public static final int CLOSE_NO_PONG = 4408;

  /**
   * Close code of a client that did not read fast enough ({@link WebSocketOptions#maxQueuedBytes()}
   * waited for it): 4429. Reconnect and resume from the positions received.
   */
  public static final int CLOSE_SLOW_CONSUMER = 4429;

  /** A message as sent: its text, its size in bytes (UTF-8) and how many bus messages it holds. */
  record Out(String text, int bytes, int messages) {}

  final Client identity;
  // The endpoint's fan-out lane that offers this socket its live messages.
  final int lane;
  // The endpoint's ping slot of this socket.
  final int pingSlot;
  private final WebSocketEndpoint endpoint;
  private final Runnable release;
  private final ObjectMapper json;
  private final WebSocketOptions options;
  private final EngineOptions engineOptions;
  private final ReentrantLock lock = new ReentrantLock();
  private final SendDone sendDone = new SendDone();

  // guarded by lock
  private @Nullable WebSocketConnection connection;
  private final Map<String, Long> positions = new HashMap<>();
  private boolean catchingUp;
  // the channels of the subscription being caught up (indexed, not yet in positions)
  private final Set<String> pending = new LinkedHashSet<>();
  private final List<Object[]> buffered = new ArrayList<>();
  private long bufferedBytes;
  private final ArrayDeque<Out> queue = new ArrayDeque<>();
  private long queuedBytes;
  private boolean inFlight;
  private boolean inSend;
  private boolean completedInSend;
  private boolean awaitingPong;
  private long pingSentAt;
  private boolean closed;
  // for the observer: told opened (after register), the code closed with, told closed
  private boolean opened;
  private int closeCode = HttpObserver.CLOSED_BY_CLIENT;
  private boolean closeReported;

  WebSocketSession(
      WebSocketEndpoint endpoint,
      Client identity,
      Runnable release,
      ObjectMapper json,
      WebSocketOptions options,
      EngineOptions engineOptions) {
    this.endpoint = endpoint;
    this.identity = identity;
    this.lane = endpoint.assignLane();
    this.pingSlot = endpoint.assignPingSlot();
    this.release = release;
    this.json = json;
    this.options = options;
    this.engineOptions = engineOptions;
  }

  /**
   * Returns the client id of the socket (from its path).
   *
   * @return the client id
   */
  public String clientId() {
    return identity.id;
  }

  /**
   * Binds the session to its opened socket. Call once, when the container opened it.
   *
   * @param connection the socket
   */
  public void open(WebSocketConnection connection) {
    boolean expired;
    lock.lock();
    try {
      expired = closed; // its handshake took too long and its slot was freed
      if (!expired) {
        this.connection = connection;
      }
    } finally {
      lock.unlock();
    }
    if (expired) {
      try {
        connection.close(CLOSE_GOING_AWAY, "the handshake took too long: connect again");
      } catch (RuntimeException e) {
        LOG.debug("closing WebSocket client {} failed: {}", identity.id, e.toString());
      }
      return;
    }
    endpoint.opened(this);
    if (!endpoint.register(this)) {
      closeWith(CLOSE_GOING_AWAY, "server shutting down");
      return;
    }
    endpoint.observer().webSocketOpened();
    lock.lock();
    try {
      opened = true;
      if (closed && !closeReported) {
        closeReported = true;
        endpoint.observer().webSocketClosed(closeCode);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Handles a text message of the client: a JSON object with {@code subscribe} (channel to
   * position) and/or {@code unsubscribe} (channel names). Bad input closes the socket with {@link
   * #CLOSE_BAD_FRAME}. Call on the container's thread, one message at a time.
   *
   * @param text the message
   */
  public void onText(String text) {
    LinkedHashMap<String, Long> subscribe = new LinkedHashMap<>();
    Set<String> unsubscribe = new LinkedHashSet<>();
    boolean[] loss = {false};
    String bad = parse(text, subscribe, unsubscribe, loss);
    if (bad != null) {
      LOG.debug("bad frame from WebSocket client {}: {}", identity.id, bad);
      closeWith(CLOSE_BAD_FRAME, bad);
      return;
    }
    List<String> removed = new ArrayList<>();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      for (String c : unsubscribe) {
        if (positions.remove(c) != null) {
          removed.add(c);
        }
      }
      int total = positions.size();
      for (String c : subscribe.keySet()) {
        if (!positions.containsKey(c)) {
          total++;
        }
      }
      if (total > engineOptions.maxChannels()) {
        bad = "too many channels: at most " + engineOptions.maxChannels() + " per socket";
      } else if (!subscribe.isEmpty()) {
        catchingUp = true;
      }
    } finally {
      lock.unlock();
    }
    endpoint.unindex(this, removed);
    if (bad != null) {
      LOG.debug("bad frame from WebSocket client {}: {}", identity.id, bad);
      closeWith(CLOSE_BAD_FRAME, bad);
      return;
    }
    if (!subscribe.isEmpty()) {
      subscribe(subscribe, loss[0]);
    }
  }

  /**
   * Reads a frame into the two collections and {@code loss[0]} (the frame's {@code "loss"}: report
   * lost messages of its subscriptions, see {@link LossSignal}); returns the reason it is bad, or
   * null.
   */
  private @Nullable String parse(
      String text, Map<String, Long> subscribe, Set<String> unsubscribe, boolean[] loss) {
    JsonNode frame;
    try {
      frame = json.readTree(text);
    } catch (JsonProcessingException e) {
      return "malformed JSON: " + Reasons.oneLine(e.getOriginalMessage(), 60);
    }
    if (frame == null || !frame.isObject()) {
      return "a frame must be a JSON object";
    }
    if (frame.isEmpty()) {
      return "a frame needs subscribe or unsubscribe";
    }
    for (Map.Entry<String, JsonNode> e : frame.properties()) {
      JsonNode value = e.getValue();
      switch (e.getKey()) {
        case "subscribe" -> {
          if (!value.isObject()) {
            return "subscribe must be an object of channel positions";
          }
          for (Map.Entry<String, JsonNode> channel : value.properties()) {
            String bad = invalidChannel(channel.getKey());
            if (bad != null) {
              return bad;
            }
            JsonNode position = channel.getValue();
            Object v;
            if (position.isNull()) {
              v = null;
            } else if (position.isTextual()) {
              v = position.textValue();
            } else if (position.isNumber()) {
              v = position.numberValue();
            } else {
              return "the position of " + Reasons.echo(channel.getKey()) + " must be a number";
            }
            subscribe.put(channel.getKey(), PollRequest.position(channel.getKey(), v));
            if (subscribe.size() > engineOptions.maxChannels()) {
              return "too many channels: at most " + engineOptions.maxChannels() + " per socket";
            }
          }
        }
        case "unsubscribe" -> {
          if (!value.isArray()) {
            return "unsubscribe must be an array of channel names";
          }
          for (JsonNode c : value) {
            if (!c.isTextual()) {
              return "unsubscribe must be an array of channel names";
            }
            unsubscribe.add(c.textValue());
          }
        }
        case "loss" -> {
          if (!value.isBoolean()) {
            return "loss must be true or false";
          }
          loss[0] = value.booleanValue();
        }
        default -> {
          return "unknown key: " + Reasons.echo(e.getKey());
        }
      }
    }
    return null;
  }

  private static @Nullable String invalidChannel(String channel) {
    if (channel.isEmpty() || channel.contains("$|$")) {
      return "invalid channel name: " + Reasons.echo(channel);
    }
    return null;
  }

  /** Indexes the channels, reads their backlog, then goes live (see the class comment). */
  @SuppressWarnings("NonApiType") // the channels' order is the client's
  private void subscribe(LinkedHashMap<String, Long> requested, boolean reportLoss) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      pending.addAll(requested.keySet());
    } finally {
      lock.unlock();
    }
    endpoint.index(this, requested.keySet());
    List<Message> backlog;
    Map<String, Long> delivered;
    try {
      Client reader =
          new Client(
              identity.id,
              identity.userId,
              identity.groupIds,
              identity.siteId,
              0,
              new LinkedHashMap<>(requested),
              json);
      reader.reportLoss = reportLoss;
      backlog = reader.backlog(endpoint.bus());
      delivered = reader.positionsAfter(backlog);
    } catch (RuntimeException e) {
      LOG.warn("WebSocket client {} could not read its backlog: {}", identity.id, e.toString());
      closeWith(CLOSE_SERVER_ERROR, "backlog unavailable; reconnect later");
      endpoint.unindex(this, requested.keySet());
      return;
    }
    boolean closedMeanwhile = false;
    lock.lock();
    try {
      if (closed) {
        closedMeanwhile = true;
        return;
      }
      positions.putAll(delivered);
      pending.clear();
      if (!backlog.isEmpty()) {
        byte[] body = Wire.json(json, backlog);
        enqueue(new Out(new String(body, StandardCharsets.UTF_8), body.length, backlog.size()));
      }
      catchingUp = false;
      for (Object[] b : buffered) {
        if (closed) {
          break;
        }
        offerLocked((Push) b[0], (Out) b[1]);
      }
      buffered.clear();
      bufferedBytes = 0;
    } finally {
      lock.unlock();
      if (closedMeanwhile) {
        // closed while reading: finishLocked may have run before the index was made
        endpoint.unindex(this, requested.keySet());
      }
    }
    drain();
  }

  /** Offers a live message (already permitted); runs on a fan-out lane or the dispatch thread. */
  void offer(Push p, Out out) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (catchingUp) {
        buffered.add(new Object[] {p, out});
        bufferedBytes += out.bytes();
        if (bufferedBytes > options.maxQueuedBytes()) {
          slow();
        }
        return;
      }
      offerLocked(p, out);
    } finally {
      lock.unlock();
    }
    drain();
  }

  private void offerLocked(Push p, Out out) {
    Message m = p.message;
    Long had = positions.get(m.channel());
    if (had == null) {
      return; // unsubscribed meanwhile
    }
    if (m.messageId() <= had && !p.idsRestartedBelow(had)) {
      return;
    }
    positions.put(m.channel(), m.messageId());
    enqueue(out);
  }

  /** Queues a message, or closes a client that lets too much wait. Under the lock. */
  private void enqueue(Out out) {
    if (closed) {
      return;
    }
    if (!queue.isEmpty() && queuedBytes + out.bytes() > options.maxQueuedBytes()) {
      slow();
      return;
    }
    queue.add(out);
    queuedBytes += out.bytes();
  }

  private void slow() {
    LOG.debug(
        "WebSocket client {} closed: {} bytes unsent, it does not read",
        identity.id,
        queuedBytes + bufferedBytes);
    endpoint.slowConsumerClosed();
    closeLocked(
        CLOSE_SLOW_CONSUMER,
        "send queue full (over " + options.maxQueuedBytes() + " bytes); resume from positions");
  }

  /** Writes the next queued message if none is in flight. */
  private void drain() {
    lock.lock();
    try {
      while (!closed && !inFlight && !queue.isEmpty() && connection != null) {
        Out next = queue.poll();
        queuedBytes -= next.bytes();
        inFlight = true;
        inSend = true;
        completedInSend = false;
        try {
          connection.sendText(next.text(), sendDone);
          endpoint.observer().delivered(next.messages());
          endpoint.observer().bytesWritten(next.bytes());
        } catch (RuntimeException e) {
          inFlight = false;
          LOG.debug("WebSocket send to {} failed: {}", identity.id, e.toString());
          closeLocked(CLOSE_GOING_AWAY, "send failed");
          return;
        } finally {
          inSend = false;
        }
        if (completedInSend) {
          inFlight = false;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The callback of the message in flight (one at a time, so one instance serves). */
  private final class SendDone implements WebSocketConnection.SendCallback {
    @Override
    public void sent() {
      lock.lock();
      try {
        if (inSend) {
          completedInSend = true; // drain's loop continues
          return;
        }
        inFlight = false;
      } finally {
        lock.unlock();
      }
      drain();
    }

    @Override
    public void failed(Throwable failure) {
      LOG.debug("WebSocket send to {} failed: {}", identity.id, failure.toString());
      lock.lock();
      try {
        inFlight = false;
        closeLocked(CLOSE_GOING_AWAY, "send failed");
      } finally {
        lock.unlock();
      }
    }
  }

  /** The client answered a ping. */
  public void onPong() {
    lock.lock();
    try {
      awaitingPong = false;
    } finally {
      lock.unlock();
    }
  }

  /** The client sent a binary message, which the protocol does not use: closes with 1003. */
  public void onBinary() {
    LOG.debug("binary frame from WebSocket client {}", identity.id);
    closeWith(CLOSE_UNSUPPORTED_DATA, "binary messages are not accepted; send JSON text");
  }

  /** Sends a ping, or closes the socket if the previous one got no pong. */
  void pingOrClose() {
    lock.lock();
    try {
      if (closed || connection == null) {
        return;
      }
      long now = engineOptions.ticker().getAsLong();
      if (awaitingPong && now - pingSentAt < options.pingInterval().toNanos()) {
        return; // a late sweep: the pong still has time
      }
      if (awaitingPong) {
        LOG.debug("WebSocket client {} did not answer a ping", identity.id);
        closeLocked(CLOSE_NO_PONG, "no pong within " + options.pingInterval().toMillis() + " ms");
        return;
      }
      awaitingPong = true;
      pingSentAt = now;
      connection.sendPing();
    } catch (RuntimeException e) {
      LOG.debug("ping of WebSocket client {} failed: {}", identity.id, e.toString());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the socket with a code and a reason (cut to fit a close frame); drops what waits.
   * Idempotent.
   *
   * @param code the close code
   * @param reason the reason
   */
  void closeWith(int code, String reason) {
    lock.lock();
    try {
      closeLocked(code, reason);
    } finally {
      lock.unlock();
    }
  }

  private void closeLocked(int code, String reason) {
    if (closed) {
      return;
    }
    closeCode = code;
    finishLocked();
    if (connection != null) {
      try {
        connection.close(code, closeReason(reason));
      } catch (RuntimeException e) {
        LOG.debug("closing WebSocket client {} failed: {}", identity.id, e.toString());
      }
    }
  }

  /**
   * A reason that fits a close frame: one line, at most 123 bytes of UTF-8, cut at a code point.
   */
  static String closeReason(String reason) {
    String s = Reasons.oneLine(reason, MAX_REASON_BYTES);
    while (s.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
      s = s.substring(0, s.offsetByCodePoints(s.length(), -1));
    }
    return s;
  }

  /**
   * The container did not open the socket within the endpoint's handshake timeout: frees the slot
   * unless the socket is being opened now; a later {@link #open} closes the socket at once.
   */
  void handshakeExpired() {
    lock.lock();
    try {
      if (!closed && connection == null) {
        closeCode = CLOSE_GOING_AWAY;
        finishLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The container closed the socket (either side closed it, or it failed). Idempotent. */
  public void onClosed() {
    lock.lock();
    try {
      if (!closed) {
        finishLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  private void finishLocked() {
    closed = true;
    if (opened && !closeReported) {
      closeReported = true;
      endpoint.observer().webSocketClosed(closeCode);
    }
    queue.clear();
    queuedBytes = 0;
    buffered.clear();
    bufferedBytes = 0;
    Set<String> channels = new LinkedHashSet<>(positions.keySet());
    channels.addAll(pending);
    positions.clear();
    pending.clear();
    endpoint.unregister(this, channels);
    release.run();
  }

  @Override
  public String toString() {
    return "WebSocketSession{" + identity.id + '}';
  }
}
