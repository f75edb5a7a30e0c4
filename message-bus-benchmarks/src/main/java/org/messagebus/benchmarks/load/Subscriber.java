// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One simulated browser: a client id subscribed to one channel, the position it holds, and its
 * connection with the parser of the reply in progress. It builds each poll as the JavaScript client
 * does (SPEC §4.2, §9.4: form body {@code <channel>=<position>&__seq=<k>}, {@code
 * X-SILENCE-LOGGER}, {@code Dont-Chunk} when not streaming, {@code ?dlp=t} when not long polling)
 * and applies each reply as it does (§9.4 processMessages): in order, a message on its channel sets
 * the position to that message's id, and a {@code /__status} entry for its channel, which the
 * server puts after the messages (§4.6), sets it to the status value. The first poll asks from
 * {@code -1}, as {@code MessageBus.subscribe} without a last id does.
 *
 * <p>In {@code sse} mode the request is {@code GET <clientId>/sse?<channel>=-1&__seq=1}, the same
 * URL every time as an {@code EventSource}'s, with the last event's id as {@code Last-Event-ID}
 * once it has one (docs/http.md, "Server-Sent Events"); each event is one message, applied as
 * above, and when the server ends the stream the next one is opened after the stream's {@code
 * retry}. In {@code websocket} mode the request is an upgrade of {@code GET <clientId>/ws} (with
 * the {@code Origin} a page of the server's own origin sends), then one masked subscribe frame
 * {@code {"subscribe":{"<channel>":<position>}}}; each text message is a JSON array applied as a
 * poll reply, pings are answered with pongs and a close frame with a close frame; after a close the
 * next socket subscribes from the position held (docs/http.md, "WebSocket").
 *
 * <p>Each published message carries {@code {"n": index, "t": epoch µs at publish}}; {@code n = -1}
 * marks warm-up messages. A first receipt of index n counts as a delivery with its latency; a
 * second receipt of n as a duplicate.
 *
 * <p>Owned by one selector worker thread.
 */
final class Subscriber implements HttpResponseParser.Listener, PieceReader.Sink {

  private static final ObjectMapper JSON = new ObjectMapper();

  final int index;
  final String clientId;
  private final LoadArgs args;
  private final Tally tally;
  private final String channel;
  private final String channelKey;
  private final HttpResponseParser parser = new HttpResponseParser(this);
  private final PieceReader pieces = new PieceReader(this);
  // sse mode: the event stream of the current response; keeps the last event id across streams.
  private final EventStreamParser events;
  // websocket mode: the frames of the current socket (a new reader per connection).
  private WebSocketFrames.Reader frames;
  private String webSocketKey = "";
  private boolean webSocketOpen;
  private boolean webSocketClosed;
  // sse mode: the reconnection delay the stream asked for (retry:), -1 before it says.
  private long retryMs = -1;
  // sse and websocket modes: the current reply was refused (not 200 / 101).
  private boolean refused;

  // The connection and its selection key: null while the browser has none (before its first
  // connect, after a close); see attach, socket(), key(), closeConnection.
  private @Nullable SocketChannel socket;
  private @Nullable SelectionKey key;

  /** The poll request being written; empty when nothing is. */
  ByteBuffer out = ByteBuffer.allocate(0);

  /** When (System.nanoTime) the next poll is due; used by the worker's timer queue. */
  long dueNanos;

  /** Whether a poll is written and its reply not yet complete. */
  boolean polling;

  /** Whether a connect is in flight. */
  boolean connectPending;

  /** Whether the reply in progress, or the last one, said the server closes the connection. */
  boolean closeAnnounced;

  private long position = -1;
  private int seq;
  private long pollSentMicros;
  private long pollStartNanos;
  private long nowMicros;
  private boolean replyHadData;
  // Storm runs (the JavaScript client's schedule): the reply carried any message, the failures in
  // a row, when the attempt in progress started, whether the browser is reconnecting after a
  // failure, and whether its first poll after the recorder's start was recorded.
  private boolean replyHadAny;
  private int failCount;
  private long attemptStartNanos;
  private boolean recovering;
  private boolean repolled;
  private boolean ready;
  private boolean unsolicited;
  // Which measured messages arrived; allocated at the first one.
  private @Nullable BitSet got;

  Subscriber(int index, LoadArgs args, Tally tally) {
    this.index = index;
    this.clientId = "load" + index;
    this.args = args;
    this.tally = tally;
    this.channel = args.channelOf(index);
    this.channelKey = URLEncoder.encode(channel, StandardCharsets.UTF_8);
    this.events = new EventStreamParser(new Events());
    this.frames = new WebSocketFrames.Reader(new Frames());
  }

  /**
   * Takes a connection that is open (or connecting) and registered with the worker's selector.
   *
   * @param channel the connection
   * @param selectionKey its key
   */
  void attach(SocketChannel channel, SelectionKey selectionKey) {
    this.socket = channel;
    this.key = selectionKey;
  }

  /**
   * Whether the browser has a connection.
   *
   * @return true from {@link #attach} until {@link #closeConnection()}
   */
  boolean connected() {
    return socket != null;
  }

  /**
   * The connection.
   *
   * @return the attached connection
   * @throws IllegalStateException if there is none
   */
  SocketChannel socket() {
    SocketChannel s = socket;
    if (s == null) {
      throw new IllegalStateException(clientId + " has no connection");
    }
    return s;
  }

  /**
   * The connection's selection key.
   *
   * @return the attached connection's key
   * @throws IllegalStateException if there is no connection
   */
  SelectionKey key() {
    SelectionKey k = key;
    if (k == null) {
      throw new IllegalStateException(clientId + " has no connection");
    }
    return k;
  }

  /** Closes the connection, if there is one, and forgets it. */
  void closeConnection() {
    closeQuietly(socket);
    socket = null;
    key = null;
  }

  /**
   * Closes a connection, ignoring that it may be gone already.
   *
   * @param ch the connection, or null for none
   */
  static void closeQuietly(@Nullable SocketChannel ch) {
    if (ch == null) {
      return;
    }
    try {
      ch.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  /**
   * The position the next poll asks from.
   *
   * @return the last message id seen on the channel, or the status value, or -1 at first
   */
  long position() {
    return position;
  }

  /**
   * Builds the next poll request and counts it.
   *
   * @param nowNanos System.nanoTime
   * @return the request bytes
   */
  ByteBuffer nextPoll(long nowNanos) {
    seq++;
    polling = true;
    replyHadData = false;
    refused = false;
    replyHadAny = false;
    pollStartNanos = nowNanos;
    attemptStartNanos = nowNanos;
    StormRecorder storm = tally.storm;
    if (storm != null) {
      storm.record(storm.polls, nowNanos);
      if (!repolled && storm.started()) {
        repolled = true;
        storm.record(storm.firstPolls, nowNanos);
      }
    }
    pollSentMicros = LoadServer.epochMicros();
    tally.polls.incrementAndGet();
    if (args.mode() == PollMode.SSE) {
      return eventStreamRequest();
    }
    if (args.mode() == PollMode.WEBSOCKET) {
      return upgradeRequest();
    }
    String body = channelKey + "=" + position + "&__seq=" + seq;
    StringBuilder req = new StringBuilder(256);
    req.append("POST /message-bus/").append(clientId).append("/poll");
    if (args.mode() == PollMode.POLL) {
      req.append("?dlp=t");
    }
    req.append(" HTTP/1.1\r\nHost: ").append(args.host()).append(':').append(args.port());
    req.append("\r\nX-SILENCE-LOGGER: true");
    if (args.mode() != PollMode.STREAMING) {
      req.append("\r\nDont-Chunk: true");
    }
    if (!args.keepAlive()) {
      req.append("\r\nConnection: close");
    }
    req.append("\r\nContent-Type: application/x-www-form-urlencoded; charset=UTF-8");
    req.append("\r\nContent-Length: ").append(body.length());
    req.append("\r\n\r\n").append(body);
    return ByteBuffer.wrap(req.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** An {@code EventSource}'s request: the same URL each time, the last event id once known. */
  private ByteBuffer eventStreamRequest() {
    StringBuilder req = new StringBuilder(256);
    req.append("GET /message-bus/").append(clientId).append("/sse?");
    req.append(channelKey).append("=-1&__seq=1 HTTP/1.1");
    req.append("\r\nHost: ").append(args.host()).append(':').append(args.port());
    req.append("\r\nAccept: text/event-stream\r\nCache-Control: no-cache");
    String last = events.lastEventId();
    if (!last.isEmpty()) {
      req.append("\r\nLast-Event-ID: ").append(last);
    }
    if (!args.keepAlive()) {
      req.append("\r\nConnection: close");
    }
    req.append("\r\n\r\n");
    return ByteBuffer.wrap(req.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** A browser's WebSocket upgrade, from a page of the server's own origin. */
  private ByteBuffer upgradeRequest() {
    webSocketKey = WebSocketFrames.newKey();
    webSocketOpen = false;
    webSocketClosed = false;
    String hostPort = args.host() + ":" + args.port();
    String req =
        "GET /message-bus/"
            + clientId
            + "/ws HTTP/1.1\r\nHost: "
            + hostPort
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + webSocketKey
            + "\r\nSec-WebSocket-Version: 13\r\nOrigin: http://"
            + hostPort
            + "\r\n\r\n";
    return ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII));
  }

  /** Queues bytes to write after what is still waiting in {@link #out}. */
  private void send(ByteBuffer frame) {
    if (!out.hasRemaining()) {
      out = frame;
      return;
    }
    ByteBuffer joined = ByteBuffer.allocate(out.remaining() + frame.remaining());
    joined.put(out).put(frame).flip();
    out = joined;
  }

  private void subscribe() {
    Map<String, Object> frame = Map.of("subscribe", Map.of(channel, position));
    try {
      send(WebSocketFrames.clientFrame(WebSocketFrames.OP_TEXT, JSON.writeValueAsBytes(frame)));
    } catch (IOException e) {
      throw new IllegalStateException("a map of a string and a number always serialises", e);
    }
    pollSentMicros = LoadServer.epochMicros();
  }

  /** A failure found while the HTTP parser hands over body bytes; rethrown by {@link #read}. */
  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(MalformedResponseException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * Parses bytes read from the connection.
   *
   * @param buf the bytes
   * @param off where they start
   * @param len how many
   * @param now epoch microseconds when the socket was found readable
   * @throws MalformedResponseException if the server's bytes are not a well-formed response
   */
  void read(byte[] buf, int off, int len, long now) throws MalformedResponseException {
    this.nowMicros = now;
    if (!polling) {
      throw new MalformedResponseException("bytes with no poll outstanding");
    }
    try {
      parser.feed(buf, off, len);
    } catch (Malformed e) {
      throw (MalformedResponseException) e.getCause();
    }
    if (unsolicited) {
      throw new MalformedResponseException("a second reply to one poll");
    }
  }

  /**
   * The connection has ended.
   *
   * @return true if a reply was cut short
   */
  boolean eof() {
    boolean cut = parser.eof();
    // A socket that ends without the server's close frame was lost, not closed.
    return cut || (args.mode() == PollMode.WEBSOCKET && webSocketOpen && !webSocketClosed);
  }

  /** Forgets the reply in progress (before a new connection). */
  void resetConnection() {
    parser.reset();
    events.end();
    frames = new WebSocketFrames.Reader(new Frames());
    webSocketOpen = false;
    webSocketClosed = false;
    polling = false;
    unsolicited = false;
    closeAnnounced = false;
  }

  /**
   * When the next poll is due after the reply that just ended (SPEC §9.4's next-poll delay).
   *
   * @param nowNanos System.nanoTime
   * @return the System.nanoTime at which to poll again
   */
  long nextPollAt(long nowNanos) {
    if (!args.storm().isEmpty()) {
      // The JavaScript client (SPEC §9.4): minPollInterval after data, else callbackInterval from
      // the poll's start (at least 100 ms), so a poll held 15 s or more is followed at once.
      if (replyHadAny) {
        return nowNanos + MIN_POLL_INTERVAL_NANOS;
      }
      return Math.max(nowNanos + MIN_POLL_INTERVAL_NANOS, pollStartNanos + CALLBACK_INTERVAL_NANOS);
    }
    long repoll = nowNanos + args.repollDelayMs() * 1_000_000L;
    if (refused) {
      // a refused stream or upgrade is retried after a second, not at once
      return Math.max(repoll, nowNanos + 1_000_000_000L);
    }
    if (args.mode() == PollMode.SSE) {
      // EventSource waits the stream's retry: before it reconnects
      return Math.max(repoll, nowNanos + Math.max(0, retryMs) * 1_000_000L);
    }
    if (args.mode() != PollMode.POLL || replyHadData) {
      return repoll;
    }
    return Math.max(repoll, pollStartNanos + args.pollIntervalMs() * 1_000_000L);
  }

  /** The JavaScript client's callbackInterval: 15 s. */
  static final long CALLBACK_INTERVAL_NANOS = 15_000_000_000L;

  /** The JavaScript client's minPollInterval: 100 ms. */
  static final long MIN_POLL_INTERVAL_NANOS = 100_000_000L;

  /** The JavaScript client's maxPollInterval: 180 s. */
  static final long MAX_POLL_INTERVAL_NANOS = 180_000_000_000L;

  /**
   * Storm runs: a connection is being opened for the next attempt (it starts the JavaScript
   * client's request, whose start its backoff counts from).
   *
   * @param nowNanos System.nanoTime
   */
  void attemptStarted(long nowNanos) {
    attemptStartNanos = nowNanos;
  }

  /**
   * Storm runs: the attempt failed (refused, reset, cut short); when to try again, as the
   * JavaScript client's error backoff: after three failures in a row {@code callbackInterval ×
   * failures} (at most {@code maxPollInterval}), before that {@code callbackInterval} from the
   * attempt's start, each lengthened by up to {@link LoadArgs#backoffJitter()} of itself.
   *
   * @param nowNanos System.nanoTime
   * @return the System.nanoTime of the next attempt
   */
  long failedAt(long nowNanos) {
    failCount++;
    recovering = true;
    StormRecorder storm = tally.storm;
    if (storm != null) {
      storm.failed(nowNanos);
    }
    long delay =
        failCount > 2
            ? Math.min(CALLBACK_INTERVAL_NANOS * failCount, MAX_POLL_INTERVAL_NANOS)
            : Math.max(
                MIN_POLL_INTERVAL_NANOS, CALLBACK_INTERVAL_NANOS - (nowNanos - attemptStartNanos));
    double jitter = args.backoffJitter();
    if (jitter > 0) {
      delay +=
          (long) (delay * jitter * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    }
    return nowNanos + delay;
  }

  @Override
  public void head(HttpResponseParser.Head head) {
    if (head.status() == 200 && !args.storm().isEmpty()) {
      failCount = 0;
      StormRecorder storm = tally.storm;
      if (recovering && storm != null) {
        storm.record(storm.reconnects, pollStartNanos);
      }
      recovering = false;
    }
    if (!polling) {
      unsolicited = true;
    }
    closeAnnounced = head.close();
    switch (args.mode()) {
      case SSE -> {
        String type = head.contentType();
        if (head.status() != 200) {
          refused = true;
          tally.error("status " + head.status());
        } else if (type == null || !type.startsWith("text/event-stream")) {
          refused = true;
          tally.error("sse: content type " + type);
        }
      }
      case WEBSOCKET -> {
        if (head.status() != 101) {
          refused = true;
          tally.error("status " + head.status());
          return;
        }
        if (!WebSocketFrames.accept(webSocketKey).equals(head.webSocketAccept())) {
          throw new Malformed(
              new MalformedResponseException(
                  "Sec-WebSocket-Accept " + head.webSocketAccept() + " does not match the key"));
        }
        webSocketOpen = true;
        subscribe();
      }
      default -> {
        pieces.start(head.contentType());
        if (head.status() != 200) {
          tally.error("status " + head.status());
        }
      }
    }
  }

  @Override
  public void body(byte[] buf, int off, int len) {
    try {
      if (refused) {
        return; // the refusal's text
      }
      switch (args.mode()) {
        case SSE -> events.feed(buf, off, len);
        case WEBSOCKET -> frames.feed(buf, off, len);
        default -> pieces.body(buf, off, len);
      }
    } catch (MalformedResponseException e) {
      throw new Malformed(e);
    }
  }

  @Override
  public void end() {
    switch (args.mode()) {
      case SSE -> events.end();
      case WEBSOCKET -> {
        // the socket's connection has ended
      }
      default -> pieces.end();
    }
    polling = false;
  }

  /** What the event stream of {@code sse} mode says. */
  private final class Events implements EventStreamParser.Listener {
    @Override
    public void event(String lastEventId, byte[] data, int off, int len) {
      JsonNode m;
      try {
        m = JSON.readTree(data, off, len);
      } catch (IOException e) {
        tally.error("bad json");
        return;
      }
      if (m == null || !m.isObject()) {
        tally.error("event data is not a JSON object");
        return;
      }
      applyMessage(m);
      markReady();
    }

    @Override
    public void comment() {
      tally.heartbeats.incrementAndGet();
    }

    @Override
    public void retry(long millis) {
      retryMs = millis;
    }
  }

  /** What the server's frames say in {@code websocket} mode. */
  private final class Frames implements WebSocketFrames.Listener {
    @Override
    public void text(byte[] buf, int off, int len) {
      piece(buf, off, len);
    }

    @Override
    public void ping(byte[] payload) {
      tally.heartbeats.incrementAndGet();
      if (!webSocketClosed) {
        send(WebSocketFrames.clientFrame(WebSocketFrames.OP_PONG, payload));
      }
    }

    @Override
    public void close(int code, String reason) {
      if (webSocketClosed) {
        return;
      }
      webSocketClosed = true;
      tally.error("websocket closed " + code + (reason.isEmpty() ? "" : ": " + reason));
      // Answer with a close frame; the server then ends the connection and the next socket
      // subscribes from the position held.
      send(
          WebSocketFrames.clientFrame(
              WebSocketFrames.OP_CLOSE,
              WebSocketFrames.closePayload(code == 1005 ? 1000 : code, "")));
    }
  }

  @Override
  public void piece(byte[] buf, int off, int len) {
    JsonNode array;
    try {
      array = JSON.readTree(buf, off, len);
    } catch (IOException e) {
      tally.error("bad json");
      return;
    }
    if (array == null || !array.isArray()) {
      tally.error("reply is not a JSON array");
      return;
    }
    apply(array);
    markReady();
  }

  private void markReady() {
    if (!ready && position >= 0) {
      ready = true;
      tally.ready.incrementAndGet();
    }
  }

  private void apply(JsonNode messages) {
    for (JsonNode m : messages) {
      applyMessage(m);
    }
  }

  private void applyMessage(JsonNode m) {
    String ch = m.path("channel").asText();
    replyHadAny = true;
    if (ch.equals(channel)) {
      replyHadData = true;
      position = m.path("message_id").asLong();
      JsonNode data = m.path("data");
      record(data.path("n").asInt(Integer.MIN_VALUE), data.path("t").asLong());
    } else if (ch.equals("/__status")) {
      JsonNode p = m.path("data").path(channel);
      if (p.isNumber()) {
        position = p.asLong();
      }
    } else {
      tally.error("message on another channel");
    }
  }

  private void record(int n, long t) {
    if (n == -1) {
      tally.warmup.incrementAndGet();
      return;
    }
    if (n < 0 || n >= args.count()) {
      tally.unexpected++;
      return;
    }
    BitSet seen = got;
    if (seen == null) {
      seen = new BitSet(args.count());
      got = seen;
    }
    if (seen.get(n)) {
      tally.duplicates++;
      return;
    }
    seen.set(n);
    tally.latency.record(nowMicros - t);
    tally.recordPeriod(nowMicros - t);
    if (t < pollSentMicros) {
      tally.viaBacklog.record(nowMicros - t);
    }
    tally.delivered.incrementAndGet();
  }
}
