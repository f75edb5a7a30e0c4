// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendStateListener;
import org.messagebus.JsonTransportCodec;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.Subscription;
import org.messagebus.observe.ObserverRegistration;
import org.messagebus.spi.MessageIdScheme;
import org.messagebus.spi.Retention;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message_bus HTTP subscriber endpoint (SPEC §4–5) without a container: routing under {@code
 * <baseRoute>message-bus/}, poll parsing and validation, the backlog, held polls (long polling and
 * streaming) with exactly-once completion, de-duplication, fan-out, timeouts, the broadcast and
 * diagnostics routes, and the mapping of every failure to a status with a one-line reason. It sees
 * requests only through {@link HttpExchange}; adapters (Servlet, Jetty core) translate.
 *
 * <p>A poll with something to say is answered at once. Otherwise it is held without a thread until
 * a permitted message arrives, the long-polling interval passes (answered {@code []}), or a newer
 * poll of the same client replaces it; with streaming, every message is sent as it arrives until
 * the interval passes. The lookups run first, on the thread that called {@link #handle}; the body
 * may be read later, on a transport callback.
 *
 * <p>The engine subscribes to the bus when constructed (unless the bus is off) and unsubscribes in
 * {@link #close()}, which also answers every held poll.
 *
 * <p><b>Size.</b> Over 500 lines because it is the engine's routing facade: each route is short,
 * and the parts it drives (ConnectionManager, TimeoutWheel, HeldPollLimits, DiagnosticsRoutes,
 * PollRequest) already live apart.
 */
public final class HttpEngine implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HttpEngine.class);

  /** The broadcast route's answer; shared, never written to. */
  private static final byte[] SENT = "sent".getBytes(StandardCharsets.US_ASCII);

  private final MessageBus bus;
  private final EngineOptions options;
  // Whether any lookup or error handler is set: user code that may block (mayRouteWithoutBlocking).
  private final boolean lookupsConfigured;
  private final String prefix;
  private final ObjectMapper json;
  // The JSON of replies answered at once, shared by the polls that get the same messages.
  private final EncodedReplies replies;
  private final ConnectionManager manager;
  private final TimeoutWheel timeouts;
  // A held poll's hold, in nanoseconds: drawn from [holdMinNanos, holdMaxNanos] (equal: fixed).
  private final long holdMinNanos;
  private final long holdMaxNanos;
  private final @Nullable Subscription subscription;
  private final @Nullable RecentWindow window;
  private final @Nullable BackendStateListener windowState;
  private final DiagnosticsRoutes diagnostics;
  // The live dashboard's numbers; only with an admin lookup (nobody could see them otherwise) and
  // the dashboard on.
  private final @Nullable DashboardStats stats;
  private final @Nullable ObserverRegistration statsRegistration;
  private final HeldPollLimits heldPollLimits;
  private final Failures failures = new Failures();
  private final java.util.concurrent.atomic.LongAdder streamsCutOff =
      new java.util.concurrent.atomic.LongAdder();
  private final HttpObservers observers = new HttpObservers();
  // Connections of other transports (WebSocket) that count against maxActiveClients.
  final java.util.concurrent.atomic.AtomicInteger otherConnections =
      new java.util.concurrent.atomic.AtomicInteger();
  // Open WebSocket endpoints over this engine: a socket path that reaches the engine was not
  // upgraded (see webSocketNotUpgraded).
  final java.util.concurrent.atomic.AtomicInteger webSocketEndpoints =
      new java.util.concurrent.atomic.AtomicInteger();
  // Server-Sent Events streams open (they are held polls too).
  private final java.util.concurrent.atomic.AtomicInteger eventStreams =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Creates the engine and subscribes it to the bus.
   *
   * @param bus the bus to serve
   * @param options routes, modes, lookups and limits
   */
  public HttpEngine(MessageBus bus, EngineOptions options) {
    this.bus = bus;
    this.options = options;
    this.lookupsConfigured =
        options.userIdLookup() != null
            || options.groupIdsLookup() != null
            || options.siteIdLookup() != null
            || options.extraResponseHeadersLookup() != null
            || options.isAdminLookup() != null
            || options.onError() != null;
    this.prefix = options.baseRoute() + "message-bus/";
    this.json =
        bus.codec() instanceof JsonTransportCodec codec
            ? codec.mapper()
            : JsonTransportCodec.defaultMapper();
    this.replies = new EncodedReplies(json);
    this.manager = new ConnectionManager(bus, json, options.fanOutThreads());
    this.stats =
        options.isAdminLookup() == null || !options.dashboardEnabled()
            ? null
            : new DashboardStats(
                bus, options.ticker(), this::heldPolls, eventStreams::get, otherConnections::get);
    this.statsRegistration = stats == null ? null : observers.add(stats);
    this.diagnostics = new DiagnosticsRoutes(bus, options, json, stats);
    this.heldPollLimits = new HeldPollLimits(options);
    this.holdMaxNanos = options.longPollingInterval().toNanos();
    // Compared as durations first: a minimum hold past Long.MAX_VALUE nanoseconds means "fixed".
    this.holdMinNanos =
        options.longPollingMinHold().compareTo(options.longPollingInterval()) >= 0
            ? holdMaxNanos
            : options.longPollingMinHold().toNanos();
    this.timeouts =
        new TimeoutWheel(
            options.longPollingInterval(),
            client -> {
              if (client.expire(options.ticker().getAsLong())) {
                manager.remove(client);
              }
            },
            options.ticker(),
            options.timerThread());
    this.window = bus.isOff() ? null : window(bus, options);
    RecentWindow w = window;
    if (w != null) {
      this.windowState = (state, cause) -> w.backendState(state);
      bus.addBackendStateListener(windowState);
    } else {
      this.windowState = null;
    }
    this.subscription = bus.isOff() ? null : bus.subscribeAll(this::dispatch);
  }

  /**
   * The recent-message window, or null when the options turn it off or the backend does not say how
   * it numbers messages.
   */
  private static @Nullable RecentWindow window(MessageBus bus, EngineOptions options) {
    MessageIdScheme scheme = bus.backend().messageIdScheme();
    if (options.recentWindowMessages() <= 0
        || options.recentWindowChannels() <= 0
        || options.recentWindowBytes() <= 0
        || scheme == MessageIdScheme.UNKNOWN) {
      return null;
    }
    Retention retention = bus.backend().retention();
    long bytes = options.recentWindowBytes();
    return new RecentWindow(
        scheme,
        Math.min(options.recentWindowMessages(), retention.maxBacklogSize()),
        Math.max(1, bytes / 16),
        options.recentWindowChannels(),
        bytes,
        retention.maxBacklogAge().toNanos(),
        options.ticker());
  }

  /**
   * A message's size for the window's byte bound: a string payload is counted by its length (with
   * the JSON around it), without encoding it on the dispatch thread; anything else is encoded once
   * (the fan-out reuses the bytes).
   */
  private static int sizeOf(Message m, Push push) {
    if (m.data() instanceof String s) {
      return 64 + m.channel().length() + s.length();
    }
    return push.body().length;
  }

  /**
   * Every message of the bus: into the recent window first, then to the held polls, so that a poll
   * that registered and then read the window misses nothing.
   */
  private void dispatch(Message m) {
    DashboardStats st = stats;
    if (st != null) {
      st.dispatched(m);
    }
    Push push = new Push(m, json, bus);
    RecentWindow w = window;
    if (w != null) {
      push.verdict(w.add(m, sizeOf(m, push)));
    }
    manager.notify(push);
  }

  /**
   * Returns the path prefix the engine answers: the base route plus {@code message-bus/}.
   *
   * @return e.g. {@code /message-bus/}
   */
  public String prefix() {
    return prefix;
  }

  /**
   * Tells whether the application's code that the engine runs for a request (the lookups, {@code
   * onMiddlewareError}) may block: set, and not declared non-blocking ({@link
   * EngineOptions.Builder#nonBlockingLookups}). Every request then goes to a thread that may block
   * before the engine routes it, so a transport gains nothing by running the engine on an I/O
   * thread first.
   *
   * @return true when a lookup or the error handler is set and may block
   */
  public boolean lookupsMayBlock() {
    return lookupsConfigured && !options.nonBlockingLookups();
  }

  /**
   * Tells whether the engine listens to the bus.
   *
   * @return true when live messages reach held polls
   */
  public boolean isListening() {
    return subscription != null && subscription.isActive();
  }

  /**
   * Returns the number of polls held right now.
   *
   * @return the count
   */
  public int heldPolls() {
    return manager.clientCount();
  }

  /**
   * Returns the number of Server-Sent Events streams open right now (they are counted in {@link
   * #heldPolls()} too).
   *
   * @return the count
   */
  public int eventStreams() {
    return eventStreams.get();
  }

  /**
   * Returns the number of WebSockets of this engine's {@link WebSocketEndpoint} open right now.
   *
   * @return the count; 0 without an endpoint
   */
  public int webSockets() {
    return otherConnections.get();
  }

  /**
   * Returns how many streams were ended because their client stopped reading (more than {@link
   * EngineOptions#maxUnsentBytes()} waited for it) since the engine started.
   *
   * @return the count
   */
  public long streamsCutOff() {
    return streamsCutOff.sum();
  }

  /**
   * Adds an observer of the polls this engine answers and what it sends, for metrics (see {@link
   * HttpObserver}); polls held already report to it too. Without observers the engine pays one
   * field read per event.
   *
   * @param observer the observer
   * @return the handle that removes it
   */
  public ObserverRegistration observe(HttpObserver observer) {
    return observers.add(observer);
  }

  /**
   * Expires the held polls whose long-polling interval passed on the ticker. The timer thread calls
   * it every tick; with {@link EngineOptions#timerThread()} false the caller does.
   */
  public void expireTimeouts() {
    timeouts.expireDue();
  }

  HttpObservers observers() {
    return observers;
  }

  ConnectionManager connectionManager() {
    return manager;
  }

  MessageBus bus() {
    return bus;
  }

  ObjectMapper json() {
    return json;
  }

  EngineOptions options() {
    return options;
  }

  HeldPollLimits heldPollLimits() {
    return heldPollLimits;
  }

  /**
   * Answers a request if it is the bus's. The request is the bus's when its path, as the transport
   * normalised it (dot segments resolved, decoded), is under {@link #prefix()}; its raw path must
   * then be plain as well (no dot or empty segments, path parameters, backslashes or encoded dots
   * and slashes), else 400. The rest is used raw, as Ruby reads {@code PATH_INFO}.
   *
   * @param x the exchange
   * @param rawPath the path within the web application as sent, still encoded
   * @param normalizedPath the transport's normalised path, or null when it refused to normalise
   * @return false when the request is not the bus's (the adapter passes it on)
   */
  public boolean handle(HttpExchange x, String rawPath, @Nullable String normalizedPath) {
    Call call = new Call(x);
    String rest;
    try {
      if (!(normalizedPath != null ? normalizedPath : rawPath).startsWith(prefix)) {
        return false;
      }
      if (!rawPath.startsWith(prefix) || !isPlain(rawPath, prefix.length())) {
        throw new BadRequestException(
            400,
            "unsupported path: dot segments, empty segments, path parameters and encoded slashes"
                + " or dots are not accepted");
      }
      rest = rawPath.substring(prefix.length());
    } catch (RuntimeException e) {
      fail(call, e);
      return true;
    }
    if (x.mustNotBlock() && !mayRouteWithoutBlocking(rest)) {
      dispatch(call, () -> route(call, rest));
      return true;
    }
    try {
      route(call, rest);
    } catch (Exception | LinkageError e) {
      fail(call, e);
    }
    return true;
  }

  /**
   * Whether a request may be routed on a thread that must not block: a poll or an event stream,
   * when no lookup or client message filter may block (see {@link
   * EngineOptions.Builder#nonBlockingLookups}). Such a poll still goes to a worker thread at the
   * first store read it needs.
   */
  private boolean mayRouteWithoutBlocking(String rest) {
    if (DiagnosticsRoutes.matches(rest) || rest.equals("broadcast")) {
      return false;
    }
    return options.nonBlockingLookups()
        || (!lookupsConfigured && bus.clientMessageFilters().isEmpty());
  }

  /** Work of a request that may throw; its failure answers the request. */
  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  /**
   * Continues a request on a thread that may block (see {@link HttpExchange#dispatch}); a transport
   * that cannot take the task answers 503.
   */
  private void dispatch(Call call, Step step) {
    try {
      call.x.dispatch(
          () -> {
            try {
              step.run();
            } catch (Exception | LinkageError e) {
              fail(call, e);
            }
          });
    } catch (RejectedExecutionException e) {
      fail(
          call,
          new BadRequestException(
              503,
              "server busy: no thread to answer this request",
              Map.of("Retry-After", Long.toString(options.heldPollsRetryAfter().toSeconds()))));
    }
  }

  private static boolean isPlain(String raw, int from) {
    // Char by char, without substrings: this runs on every request.
    int segmentStart = from;
    for (int i = from; i <= raw.length(); i++) {
      char c = i < raw.length() ? raw.charAt(i) : '/';
      if (c == ';' || c == '\\') {
        return false;
      }
      if (c == '%'
          && i + 2 < raw.length()
          && encodesDotOrSlash(raw.charAt(i + 1), raw.charAt(i + 2))) {
        return false;
      }
      if (c == '/') {
        int length = i - segmentStart;
        // An empty segment is allowed only at the very end (a trailing slash).
        if ((length == 0 && i < raw.length())
            || (length == 1 && raw.charAt(segmentStart) == '.')
            || (length == 2
                && raw.charAt(segmentStart) == '.'
                && raw.charAt(segmentStart + 1) == '.')) {
          return false;
        }
        segmentStart = i + 1;
      }
    }
    return true;
  }

  /** Whether {@code %<hi><lo>} is {@code %2e}, {@code %2f} or {@code %5c} (either case). */
  private static boolean encodesDotOrSlash(char hi, char lo) {
    char l = Character.toLowerCase(lo);
    return (hi == '2' && (l == 'e' || l == 'f')) || (hi == '5' && l == 'c');
  }

  /** One bus request on its way: the body read and the answer may happen on another thread. */
  private static final class Call {
    final HttpExchange x;
    // The response belongs to a held poll's Client from then on.
    volatile boolean held;
    // The extra response headers, once looked up (on the request thread).
    volatile @Nullable Map<String, String> extra;
    // Set once the request is a poll, for the observer.
    volatile HttpObserver.@Nullable PollMode mode;
    // Set once the body was read in full (or there was none to read).
    volatile boolean bodyRead;

    Call(HttpExchange x) {
      this.x = x;
    }
  }

  private void route(Call call, String rest) throws IOException {
    HttpExchange x = call.x;
    if (DiagnosticsRoutes.matches(rest)) {
      diagnostics.handle(x, prefix, rest, this::sendPlain);
      return;
    }
    if (options.allowBroadcast() && rest.equals("broadcast")) {
      requirePost(x, options);
      broadcast(call);
      return;
    }
    int slash = rest.indexOf('/');
    String clientId = slash < 0 ? rest : rest.substring(0, slash);
    if (clientId.isEmpty()) {
      x.status(404);
      x.send("not found".getBytes(StandardCharsets.US_ASCII));
      return;
    }
    if ("GET".equals(x.method()) && slash >= 0 && rest.substring(slash + 1).equals("ws")) {
      throw webSocketNotUpgraded(x);
    }
    boolean sse = "GET".equals(x.method()) && slash >= 0 && rest.substring(slash + 1).equals("sse");
    if (!"OPTIONS".equals(x.method())) {
      call.mode = sse ? HttpObserver.PollMode.SSE : pollMode(x);
    }
    if (clientId.length() > options.maxClientIdLength()) {
      throw new BadRequestException(
          400, "client id too long: at most " + options.maxClientIdLength() + " characters");
    }
    Map<String, String> extra = extraHeaders(x);
    call.extra = extra;
    if ("OPTIONS".equals(x.method())) {
      writeHeaders(x, extra, Wire.JSON_CONTENT_TYPE);
      x.send("OK".getBytes(StandardCharsets.US_ASCII));
      return;
    }
    // The lookups run here, on the request thread (they may read thread-bound state such as a
    // security context); the body may be read later, on a transport callback.
    Identity who = Identity.of(x, options, bus, heldPollLimits);
    if (sse) {
      if (!options.sseEnabled()) {
        throw new BadRequestException(404, "server-sent events are disabled: poll instead");
      }
      // Channels an upstream filter forces win over the query, as over a poll body.
      PollRequest forcedChannels = PollRequest.forced(x, options);
      String lastEventId = x.header("Last-Event-ID");
      serverSentEvents(
          call,
          clientId,
          who,
          forcedChannels != null
              ? PollRequest.resumed(forcedChannels, lastEventId)
              : PollRequest.fromQuery(x.queryString(), lastEventId, options));
      return;
    }
    PollRequest forced = PollRequest.forced(x, options);
    if (forced != null) {
      poll(call, clientId, who, forced);
      return;
    }
    String contentType = x.header("Content-Type");
    FormData.charset(contentType, StandardCharsets.UTF_8); // 415 before reading anything
    withBody(
        call,
        body -> poll(call, clientId, who, PollRequest.parse(body, contentType, options, json)));
  }

  /**
   * The answer to a GET of a socket path ({@code <prefix><clientId>/ws}) that reached the engine,
   * so no adapter upgraded it: at once, never held as a poll, so that a client falls back without
   * waiting (any other method there is a poll, as on the Ruby wire). 426 (with {@code Upgrade:
   * websocket}) when the request did not ask for an upgrade (a proxy such as nginx with its
   * defaults drops the {@code Upgrade} header); 501 when it did but nothing here can upgrade it (a
   * container without WebSocket support); 404 when the server has no WebSocket endpoint.
   */
  private BadRequestException webSocketNotUpgraded(HttpExchange x) {
    if (webSocketEndpoints.get() <= 0) {
      return new BadRequestException(404, "WebSocket is not enabled on this server: poll instead");
    }
    String upgrade = x.header("Upgrade");
    if (upgrade != null && upgrade.trim().equalsIgnoreCase("websocket")) {
      return new BadRequestException(
          501, "WebSocket is not available in this container: poll instead");
    }
    return new BadRequestException(
        426,
        "this route only opens a WebSocket, and the request did not ask for one (a proxy may have"
            + " dropped its Upgrade header): poll instead",
        Map.of("Upgrade", "websocket"));
  }

  /** What a poll asks for, as {@link #poll} decides it: plain, long or streaming. */
  private HttpObserver.PollMode pollMode(HttpExchange x) {
    String query = x.queryString();
    if (!options.longPollingEnabled() || (query != null && query.contains("dlp=t"))) {
      return HttpObserver.PollMode.POLL;
    }
    return options.chunkedEncodingEnabled()
            && "HTTP/1.1".equals(x.protocol())
            && x.header("Dont-Chunk") == null
        ? HttpObserver.PollMode.STREAM
        : HttpObserver.PollMode.LONG_POLL;
  }

  /** Tells the observers about a poll answered without being held. */
  private void answeredAtOnce(HttpObserver.@Nullable PollMode mode, int messages, int bytes) {
    observers.delivered(messages);
    observers.bytesWritten(bytes);
    if (mode != null) {
      observers.pollEnded(
          mode, messages > 0 ? HttpObserver.PollOutcome.DATA : HttpObserver.PollOutcome.EMPTY);
    }
  }

  /**
   * Refuses a GET (or any method but POST) on a route that changes state, unless {@link
   * EngineOptions#allowGetForActions()}: a GET can be triggered cross-site by an image or a link
   * (CSRF). Ruby accepts any method (SPEC §4.10, §6.2); its own diagnostics page POSTs.
   */
  static void requirePost(HttpExchange x, EngineOptions options) {
    if (!"POST".equals(x.method()) && !options.allowGetForActions()) {
      throw new BadRequestException(
          405, "this route changes state: use POST", Map.of("Allow", "POST"));
    }
  }

  /** Answers a poll whose channels are known: at once, or by holding it. */
  private void poll(Call call, String clientId, Identity who, PollRequest poll) throws IOException {
    HttpExchange x = call.x;
    Client client = who.client(clientId, poll.seq, poll.channels, json);
    client.observer = observers;
    String query = x.queryString();
    client.reportLoss = LossSignal.requested(query, options.maxChannels() + 2);
    boolean wantsHold = options.longPollingEnabled() && (query == null || !query.contains("dlp=t"));
    boolean full =
        wantsHold && manager.clientCount() + otherConnections.get() >= options.maxActiveClients();
    boolean longPolling = wantsHold && isListening() && !full && x.canHold();
    // Only a poll that may be held reads the window: the window may lag the store by a message on
    // its way, which a held poll then receives live; a poll answered at once and not held would
    // miss it until its next poll, so it reads the store, as a publish followed by a poll expects.
    RecentWindow w = longPolling ? window : null;
    long token = w != null ? w.token() : 0;
    List<Message> backlog = client.backlog(bus, w, !x.mustNotBlock());
    if (backlog == null) {
      dispatch(call, () -> poll(call, clientId, who, poll)); // the store is needed
      return;
    }
    failures.backendAnswered();
    boolean chunked =
        options.chunkedEncodingEnabled()
            && "HTTP/1.1".equals(x.protocol())
            && x.header("Dont-Chunk") == null;

    if ((!backlog.isEmpty() && !chunked) || !longPolling) {
      writeHeaders(x, Objects.requireNonNull(call.extra), Wire.JSON_CONTENT_TYPE);
      byte[] body = replies.json(backlog);
      x.send(body);
      if (full && (backlog.isEmpty() || chunked)) {
        observers.overCapacity();
      }
      answeredAtOnce(call.mode, backlog.size(), body.length);
      return;
    }
    Runnable release = heldPollLimits.acquire(who.limitKey(), clientId);
    call.held = true;
    try {
      hold(x, client, backlog, Objects.requireNonNull(call.extra), chunked, release, token);
    } catch (IOException | RuntimeException e) {
      release.run();
      throw e;
    }
  }

  /**
   * Opens a Server-Sent Events stream: the backlog as events, then every permitted message as it
   * arrives, heartbeats between, until its end ({@link #sseLifetimeNanos()}: the browser then
   * reconnects with {@code Last-Event-ID}). A held poll in every respect (registration,
   * de-duplication, limits, cut-off, timeouts); only the framing differs. When the stream cannot be
   * held (over {@link EngineOptions#maxActiveClients()}, the bus not listening, a transport that
   * cannot hold) the answer is 503 with a {@code Retry-After}, so that a client falls back to
   * polling instead of reconnecting at once.
   */
  private void serverSentEvents(Call call, String clientId, Identity who, PollRequest request)
      throws IOException {
    HttpExchange x = call.x;
    if (!isListening() || !x.canHold() || manager.clientCount() >= options.maxActiveClients()) {
      throw new BadRequestException(
          503,
          "server-sent events unavailable: too many held connections or the bus is not"
              + " listening; poll instead",
          Map.of("Retry-After", Long.toString(options.heldPollsRetryAfter().toSeconds())));
    }
    Client client = who.client(clientId, request.seq, request.channels, json);
    client.reportLoss = LossSignal.requested(x.queryString(), options.maxChannels() + 2);
    client.keepAskedPositions = true;
    client.observer = observers;
    // An event stream is always held: its backlog may come from the recent window.
    long token = window != null ? window.token() : 0;
    List<Message> backlog = client.backlog(bus, window, !x.mustNotBlock());
    if (backlog == null) {
      dispatch(call, () -> serverSentEvents(call, clientId, who, request)); // the store is needed
      return;
    }
    failures.backendAnswered();
    Runnable acquired = heldPollLimits.acquire(who.limitKey(), clientId);
    eventStreams.incrementAndGet();
    java.util.concurrent.atomic.AtomicBoolean ended =
        new java.util.concurrent.atomic.AtomicBoolean();
    Runnable release =
        () -> {
          if (ended.compareAndSet(false, true)) {
            eventStreams.decrementAndGet();
            acquired.run();
          }
        };
    call.held = true;
    try {
      x.prepareHold();
      x.status(200);
      x.header("Cache-Control", "no-cache");
      x.contentType(Wire.EVENT_STREAM_CONTENT_TYPE);
      x.header("X-Accel-Buffering", "no");
      Objects.requireNonNull(call.extra).forEach(x::header);
      Map<String, Long> delivered = client.positionsAfter(backlog);
      long now = options.ticker().getAsLong();
      long end = now + sseLifetimeNanos();
      long heartbeat = options.sseHeartbeatInterval().toNanos();
      client.holdEvents(
          x,
          backlog,
          Wire.sseRetry(options.sseRetry().toMillis()),
          () -> {
            manager.remove(client);
            release.run();
            observers.pollEnded(HttpObserver.PollMode.SSE, client.outcome());
          },
          options.maxUnsentBytes(),
          streamsCutOff::increment,
          heartbeat,
          end);
      register(x, client, delivered, Math.min(now + heartbeat, end), token);
    } catch (IOException | RuntimeException e) {
      release.run();
      throw e;
    }
  }

  /**
   * How long this event stream lives: drawn uniformly between {@link
   * EngineOptions#sseMinDuration()} and {@link EngineOptions#sseMaxDuration()}, or exactly the
   * maximum when they are equal (see {@code docs/operations.md}, "Storms").
   */
  private long sseLifetimeNanos() {
    long min = options.sseMinDuration().toNanos();
    long max = options.sseMaxDuration().toNanos();
    return min >= max ? max : ThreadLocalRandom.current().nextLong(min, max + 1);
  }

  /** Reads the request body without blocking a thread, then hands it on. */
  private void withBody(Call call, BodyHandler next) throws IOException {
    HttpExchange x = call.x;
    long declared = x.contentLength();
    int max = options.maxBodyBytes();
    if (declared > max) {
      throw tooLarge(max);
    }
    if (declared == 0) {
      call.bodyRead = true;
      next.accept(new byte[0]);
      return;
    }
    x.readBody(
        max,
        new HttpExchange.BodySink() {
          @Override
          public void body(byte[] body) {
            call.bodyRead = true;
            try {
              next.accept(body);
            } catch (Exception | LinkageError e) {
              fail(call, e);
            }
          }

          @Override
          public void failed(Throwable failure) {
            fail(call, failure);
          }
        });
  }

  /**
   * The 413 of a body over the limit.
   *
   * @param max the limit
   * @return the exception to fail the read with
   */
  public static RuntimeException tooLarge(int max) {
    return new BadRequestException(413, "request body too large: at most " + max + " bytes");
  }

  /** Continues with a request body once it is in. */
  @FunctionalInterface
  private interface BodyHandler {
    void accept(byte[] body) throws IOException;
  }

  private void hold(
      HttpExchange x,
      Client client,
      List<Message> backlog,
      Map<String, String> extra,
      boolean streaming,
      Runnable release,
      long token)
      throws IOException {
    x.prepareHold();
    writeHeaders(x, extra, null);
    boolean framed = false;
    if (streaming) {
      x.contentType(Wire.STREAM_CONTENT_TYPE);
      // Each piece one complete chunk, as Ruby sends it (SPEC §4.12), whatever the request says;
      // the connection kept for the next poll where the transport can, unless Ruby's close is
      // asked.
      framed = x.frameStream(!options.closeHeldPollConnections());
      x.header("X-Content-Type-Options", "nosniff");
      x.header("X-Accel-Buffering", "no");
    } else {
      if (options.closeHeldPollConnections()) {
        x.header("Connection", "close"); // Ruby's bytes; by default the connection is reused
      }
      x.contentType(Wire.JSON_CONTENT_TYPE);
    }
    Map<String, Long> delivered = client.positionsAfter(backlog);
    HttpObserver.PollMode mode =
        streaming ? HttpObserver.PollMode.STREAM : HttpObserver.PollMode.LONG_POLL;
    client.hold(
        x,
        streaming,
        framed,
        backlog,
        () -> {
          manager.remove(client);
          release.run();
          observers.pollEnded(mode, client.outcome());
        },
        options.maxUnsentBytes(),
        streamsCutOff::increment);
    register(x, client, delivered, options.ticker().getAsLong() + holdNanos(), token);
  }

  /**
   * How long this held poll is held: drawn uniformly between {@link
   * EngineOptions#longPollingMinHold()} and the interval, or exactly the interval when it is not
   * above that bound (see {@code docs/operations.md}, "Storms").
   */
  private long holdNanos() {
    return holdMinNanos >= holdMaxNanos
        ? holdMaxNanos
        : ThreadLocalRandom.current().nextLong(holdMinNanos, holdMaxNanos + 1);
  }

  /**
   * Registers a held poll whose response is ready, catches it up with what was published meanwhile,
   * arms its timeout and watches its connection. {@code token} is the recent window's, read before
   * the backlog.
   */
  private void register(
      HttpExchange x, Client client, Map<String, Long> delivered, long deadlineNanos, long token) {
    if (!manager.add(client)) {
      client.close(HttpObserver.PollOutcome.SUPERSEDED);
      return;
    }
    goLive(x, client, delivered, deadlineNanos, token, !x.mustNotBlock());
  }

  /**
   * Catches a registered poll up and lets it go live. When the catch-up needs the store and this
   * thread must not block, it continues on one that may (live pushes wait in the client meanwhile).
   */
  private void goLive(
      HttpExchange x,
      Client client,
      Map<String, Long> delivered,
      long deadlineNanos,
      long token,
      boolean mayBlock) {
    @Nullable List<Message> missed;
    try {
      missed = caughtUp(client, delivered, token, mayBlock);
    } catch (RuntimeException e) {
      LOG.warn("poll of client {} could not catch up: {}", client.id, e.toString());
      missed = List.of();
    }
    if (missed == null) {
      try {
        x.dispatch(() -> goLive(x, client, delivered, deadlineNanos, token, true));
        return;
      } catch (RejectedExecutionException e) {
        missed = List.of();
      }
    }
    client.goLive(missed, delivered);
    if (client.isClosed()) {
      manager.remove(client);
      return;
    }
    client.timeout(timeouts, deadlineNanos);
    client.watch(() -> x.watchDisconnect(client::gone));
  }

  /**
   * Reads what was published between the backlog read and the registration, so that nothing falls
   * between the two: from the recent window where it can vouch for a channel ({@code token} was
   * read before the backlog), else from the store.
   */
  private @Nullable List<Message> caughtUp(
      Client client, Map<String, Long> delivered, long token, boolean mayBlock) {
    List<String> channels = new ArrayList<>(client.subscriptions.keySet());
    if (channels.isEmpty()) {
      return List.of();
    }
    List<Message> missed = new ArrayList<>();
    List<String> ask = new ArrayList<>();
    RecentWindow w = window;
    for (String channel : channels) {
      long had = delivered.getOrDefault(channel, 0L);
      List<Message> known = w == null ? null : w.caughtUp(channel, client.siteId, had, token);
      if (known == null) {
        ask.add(channel);
        continue;
      }
      for (Message m : known) {
        if (Permissions.allowed(bus, client, m)) {
          missed.add(m);
        }
      }
    }
    if (!ask.isEmpty()) {
      if (!mayBlock) {
        return null;
      }
      Map<String, Long> current = bus.lastIds(ask, client.siteId);
      for (String channel : ask) {
        long had = delivered.getOrDefault(channel, 0L);
        if (Objects.requireNonNull(current.get(channel)) > had) {
          for (Message m : bus.backlog(channel, Math.max(0, had), client.siteId)) {
            if (m.messageId() > had && Permissions.allowed(bus, client, m)) {
              missed.add(m);
            }
          }
        }
      }
    }
    missed.sort(Comparator.comparingLong(Message::globalId));
    return missed;
  }

  /**
   * The debug broadcast route (SPEC §4.10). Its parameters are parsed here, strictly: the query,
   * then a form body; the first value of a name wins.
   */
  private void broadcast(Call call) throws IOException {
    HttpExchange x = call.x;
    int maxFields = options.maxChannels() + 1;
    List<FormData.Field> query = FormData.parseQuery(x.queryString(), maxFields);
    String contentType = x.header("Content-Type");
    if (!FormData.mediaType(contentType).equals("application/x-www-form-urlencoded")) {
      publishBroadcast(x, query, List.of());
      return;
    }
    Charset charset = FormData.charset(contentType, StandardCharsets.UTF_8);
    withBody(
        call,
        body ->
            publishBroadcast(x, query, FormData.parse(body, charset, maxFields, "the form body")));
  }

  private void publishBroadcast(
      HttpExchange x, List<FormData.Field> query, List<FormData.Field> form) throws IOException {
    String channel = parameter("channel", query, form);
    String data = parameter("data", query, form);
    if (channel == null || channel.isEmpty()) {
      throw new BadRequestException(400, "broadcast needs a channel parameter");
    }
    if (channel.contains("$|$")) {
      throw new BadRequestException(400, "invalid channel name: " + Reasons.echo(channel));
    }
    bus.publish(channel, data);
    failures.backendAnswered();
    x.status(200);
    x.header("Content-Type", "text/html");
    x.send(SENT);
  }

  /** The first value of a parameter: from the query, else the form; "" for a name without "=". */
  private static @Nullable String parameter(
      String name, List<FormData.Field> query, List<FormData.Field> form) {
    String value = parameter(name, query);
    return value != null ? value : parameter(name, form);
  }

  private static @Nullable String parameter(String name, List<FormData.Field> fields) {
    // Indexed, not iterated: no iterator per parameter on the broadcast path.
    for (int i = 0, n = fields.size(); i < n; i++) {
      FormData.Field f = fields.get(i);
      if (f.key().equals(name)) {
        return f.value() == null ? "" : f.value();
      }
    }
    return null;
  }

  private Map<String, String> extraHeaders(HttpRequestView req) {
    if (options.extraResponseHeadersLookup() == null) {
      return Map.of();
    }
    Map<String, String> extra = options.extraResponseHeadersLookup().apply(req);
    return extra == null ? Map.of() : new LinkedHashMap<>(extra);
  }

  private static void writeHeaders(
      HttpExchange x, Map<String, String> extra, @Nullable String contentType) {
    x.status(200);
    x.header("Cache-Control", "must-revalidate, private, max-age=0");
    if (contentType != null) {
      x.contentType(contentType);
    }
    x.header("Pragma", "no-cache");
    x.header("Expires", "0");
    extra.forEach(x::header);
  }

  /**
   * Ends a failed bus request: {@link Failures} decides the status, the reason and the log level
   * (the one place that does); the reply keeps the extra headers (CORS: without them a cross-origin
   * browser sees status 0 instead of the 4xx/5xx and its reason); the error handler may choose
   * another reply for a server-side failure. A held poll's response belongs to its client: it is
   * only completed.
   */
  private void fail(Call call, Throwable e) {
    HttpExchange x = call.x;
    Failures.Reply reply = failures.handle(e);
    if (!call.held) {
      observers.failed(call.mode, reply == null ? 0 : reply.status());
    }
    if (call.held || reply == null) {
      x.complete();
      return;
    }
    Map<String, String> headers =
        new LinkedHashMap<>(call.extra != null ? call.extra : extraHeadersOrNone(x));
    int status = reply.status();
    String body = reply.reason();
    headers.putAll(reply.headers());
    EngineOptions.ErrorHandler handler = options.onError();
    if (reply.serverSide() && handler != null && e instanceof Exception error) {
      EngineOptions.ErrorReply custom;
      try {
        custom = handler.handle(x, error);
      } catch (RuntimeException handlerFailure) {
        LOG.warn("onMiddlewareError failed", handlerFailure);
        custom = null;
      }
      if (custom != null) {
        headers = new LinkedHashMap<>(call.extra != null ? call.extra : extraHeadersOrNone(x));
        headers.putAll(custom.headers());
        status = custom.status();
        body = custom.body();
      }
    }
    long declared = x.contentLength();
    boolean hasBody = declared > 0 || (declared < 0 && x.header("Transfer-Encoding") != null);
    if (hasBody && !call.bodyRead) {
      // Answered before its body was read (a lookup or a check failed first): the container then
      // closes the connection after the reply, so say so, or a client reusing it would send its
      // next request into a closing connection.
      headers.put("Connection", "close");
    }
    try {
      sendPlain(x, status, body, headers);
    } catch (IOException | RuntimeException unsent) {
      LOG.debug("could not answer a failed message-bus request: {}", unsent.toString());
      x.complete();
    }
  }

  /** The extra headers for an error reply; none if the lookup itself fails. */
  private Map<String, String> extraHeadersOrNone(HttpRequestView req) {
    try {
      return extraHeaders(req);
    } catch (RuntimeException lookupFailure) {
      LOG.debug("extraResponseHeadersLookup failed while answering an error", lookupFailure);
      return Map.of();
    }
  }

  /** Answers with a one-line plain-text body (and extra headers), unless already committed. */
  void sendPlain(HttpExchange x, int status, String body, Map<String, String> headers)
      throws IOException {
    if (x.isCommitted()) {
      x.complete();
      return;
    }
    x.reset();
    x.status(status);
    x.header("Content-Type", "text/plain; charset=utf-8");
    headers.forEach(x::header);
    if (status == 413 || status == 408) {
      // The body was not (all) read: tell the client not to reuse this connection.
      x.header("Connection", "close");
    }
    x.send((body == null ? "" : body).getBytes(StandardCharsets.UTF_8));
  }

  /** Stops listening to the bus and answers every held poll. Idempotent. */
  @Override
  public void close() {
    if (subscription != null) {
      subscription.unsubscribe();
    }
    if (windowState != null) {
      bus.removeBackendStateListener(windowState);
    }
    manager.closeAll();
    timeouts.close();
    if (statsRegistration != null) {
      statsRegistration.close();
    }
    if (stats != null) {
      stats.close();
    }
  }
}
