// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.Subscription;
import org.messagebus.spi.ChannelNames;
import org.messagebus.spi.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket transport of the bus, without a container: it admits or refuses an upgrade request
 * ({@link #admit}), then runs the protocol of each socket in a {@link WebSocketSession} behind a
 * {@link WebSocketConnection} that an adapter implements (Jetty's WebSocket API in {@code
 * MessageBusServer}). It serves {@code <prefix><clientId>/ws} (e.g. {@code
 * /message-bus/abc123/ws}); the protocol is in docs/http.md, "WebSocket".
 *
 * <p>An upgrade is admitted with the engine's rules: the identity lookups of {@link EngineOptions}
 * run on the upgrade request, every socket counts against {@code maxActiveClients} (with the held
 * polls) and against the per-user or per-address cap of held polls, and the {@code Origin} must be
 * allowed ({@link WebSocketOptions#allowedOrigins()}).
 *
 * <p><b>Threads.</b> The endpoint subscribes to the bus; {@link #notify} runs on the bus dispatch
 * thread: it looks the subscribed sockets up in a concurrent index (site, then channel), encodes
 * the message once and hands it to the fan-out lanes, as the held polls' {@code ConnectionManager}
 * does: each socket belongs to one lane (round robin when it is admitted; {@link
 * EngineOptions#fanOutThreads()} lanes, each one thread taking messages in order), so a socket
 * still receives its messages in publish order while the lanes write to different sockets in
 * parallel; with one lane the dispatch thread offers them itself. Offering only queues a message (a
 * socket's output is non-blocking and bounded), so a slow socket never delays the others. One
 * daemon thread sends the pings, spread over the interval (each socket in one of up to 30 slots,
 * one slot at a time), so that N sockets are not pinged in one burst. Closing the endpoint closes
 * every socket with 1001.
 */
public final class WebSocketEndpoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WebSocketEndpoint.class);

  /**
   * How long an admitted socket may take to be opened by the container: {@value} seconds. An
   * upgrade can fail after {@link #admit} (the client went away in the middle of the handshake, the
   * container refused it late) without the adapter hearing of it; the identity's slot is then freed
   * when this much time has passed, instead of never.
   */
  static final long HANDSHAKE_TIMEOUT_SECONDS = 30;

  // The site key of channels without a site (a ConcurrentHashMap has no null keys).
  private static final String NO_SITE = "";

  // At most this many ping slots per interval (one every second of the default 30 s).
  private static final int MAX_PING_SLOTS = 30;

  private final HttpEngine engine;
  private final MessageBus bus;
  private final EngineOptions engineOptions;
  private final WebSocketOptions options;
  private final Failures failures = new Failures();
  private final Pattern path;
  private final Set<WebSocketSession> sessions = ConcurrentHashMap.newKeySet();
  // Admitted sessions whose socket the container has not opened yet, with their admission time.
  private final ConcurrentHashMap<WebSocketSession, Long> handshakes = new ConcurrentHashMap<>();
  // site key -> channel -> sockets subscribed
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Set<WebSocketSession>>> bySite =
      new ConcurrentHashMap<>();
  private final @Nullable Subscription subscription;
  private final ScheduledExecutorService pinger;
  private final java.util.concurrent.ScheduledFuture<?> pings;
  private final LongAdder slowConsumersClosed = new LongAdder();
  // null: one lane, the dispatch thread offers each message itself
  private final Lane @Nullable [] lanes;
  private final AtomicInteger nextLane = new AtomicInteger();
  // Pings are spread over the interval: each socket has a slot, and every interval / pingSlots
  // the sockets of the next slot are pinged, not every socket at once (a burst of N pings and
  // pongs that would delay the live messages of that moment).
  private final int pingSlots;
  private final AtomicInteger nextPingSlot = new AtomicInteger();
  private int pingTick; // the ping thread's only
  private volatile boolean closed;

  /** A live message for the lanes: its sockets are those of the targets in the lane's share. */
  private record Task(Push push, WebSocketSession.Out out, List<Set<WebSocketSession>> targets) {}

  /** One fan-out thread: offers messages, in order, to the sockets assigned to it. */
  private final class Lane implements Runnable {
    final int index;
    final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    final Thread thread;

    Lane(int index) {
      this.index = index;
      this.thread = DaemonThreads.newThread("message-bus-ws-fanout", this);
    }

    @Override
    public void run() {
      try {
        while (!closed) {
          Task t = queue.poll(1, TimeUnit.SECONDS);
          if (t != null) {
            offerAll(t.push(), t.out(), t.targets(), index);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Creates the endpoint over an engine (its routes, lookups and limits), subscribes it to the
   * engine's bus and starts the ping thread.
   *
   * @param engine the HTTP engine
   * @param options the WebSocket options
   */
  public WebSocketEndpoint(HttpEngine engine, WebSocketOptions options) {
    this.engine = engine;
    this.bus = engine.bus();
    this.engineOptions = engine.options();
    this.options = options;
    this.path = Pattern.compile(pathRegex(engine.prefix()));
    int fanOut = engineOptions.fanOutThreads();
    if (fanOut > 1) {
      lanes = new Lane[fanOut];
      for (int i = 0; i < fanOut; i++) {
        lanes[i] = new Lane(i);
        lanes[i].thread.start();
      }
    } else {
      lanes = null;
    }
    this.subscription = bus.isOff() ? null : bus.subscribeAll(this::notify);
    engine.webSocketEndpoints.incrementAndGet();
    this.pinger = DaemonThreads.singleThreadScheduler("message-bus-ws-ping");
    long every = options.pingInterval().toMillis();
    this.pingSlots = (int) Math.max(1, Math.min(MAX_PING_SLOTS, every));
    long tick = every / pingSlots;
    this.pings =
        pinger.scheduleWithFixedDelay(this::pingNextSlot, tick, tick, TimeUnit.MILLISECONDS);
  }

  /**
   * The regular expression of the socket paths under a prefix: {@code <prefix><clientId>/ws}.
   *
   * @param prefix e.g. {@code /message-bus/}
   * @return the expression, anchored
   */
  public static String pathRegex(String prefix) {
    return "^" + Pattern.quote(prefix) + "[^/]+/ws$";
  }

  /**
   * Tells whether a path within the application is a socket path of this endpoint.
   *
   * @param path e.g. {@code /message-bus/abc123/ws}
   * @return true for {@code <prefix><clientId>/ws}
   */
  public boolean matches(String path) {
    return this.path.matcher(path).matches();
  }

  /**
   * Returns the path prefix of the engine, under which sockets live.
   *
   * @return e.g. {@code /message-bus/}
   */
  public String prefix() {
    return engine.prefix();
  }

  /**
   * Returns the options.
   *
   * @return the WebSocket options
   */
  public WebSocketOptions options() {
    return options;
  }

  /**
   * Returns the number of open sockets.
   *
   * @return the count
   */
  public int connections() {
    return sessions.size();
  }

  /**
   * Returns how many sockets were closed with {@link WebSocketSession#CLOSE_SLOW_CONSUMER} since
   * the endpoint started.
   *
   * @return the count
   */
  public long slowConsumersClosed() {
    return slowConsumersClosed.sum();
  }

  /** The answer to an upgrade request: a session to open, or a refusal with a status. */
  public static final class Admission {
    private final @Nullable WebSocketSession session;
    private final int status;
    private final String reason;
    private final Map<String, String> headers;

    private Admission(
        @Nullable WebSocketSession session, int status, String reason, Map<String, String> h) {
      this.session = session;
      this.status = status;
      this.reason = reason;
      this.headers = Map.copyOf(h);
    }

    /**
     * Returns the session to bind to the socket, when admitted.
     *
     * @return the session, or null when refused
     */
    public @Nullable WebSocketSession session() {
      return session;
    }

    /**
     * Returns the HTTP status of a refusal.
     *
     * @return e.g. 403, 429; 101 when admitted
     */
    public int status() {
      return status;
    }

    /**
     * Returns the one-line reason of a refusal, for a {@code text/plain} body.
     *
     * @return the reason; empty when admitted
     */
    public String reason() {
      return reason;
    }

    /**
     * Returns the headers to add to a refusal (e.g. {@code Retry-After}).
     *
     * @return the headers
     */
    public Map<String, String> headers() {
      return headers;
    }
  }

  private Admission refuse(int status, String reason) {
    return refused(new Admission(null, status, reason, Map.of()));
  }

  private Admission refused(Admission refusal) {
    engine.observers().webSocketRefused(refusal.status());
    return refusal;
  }

  HttpObserver observer() {
    return engine.observers();
  }

  /**
   * Decides on a WebSocket upgrade request, on the thread that received it (the identity lookups
   * may read thread-bound state). An admitted session holds a slot of its identity until it closes;
   * the adapter must bind it to the socket ({@link WebSocketSession#open}) or, if the upgrade fails
   * after all, call {@link WebSocketSession#onClosed()}. A session that is neither opened nor
   * closed within {@link #HANDSHAKE_TIMEOUT_SECONDS} (a failure the adapter did not hear of) frees
   * its slot then; if its socket opens later after all, it is closed at once with 1001.
   *
   * @param req the upgrade request; its path within the application is {@code
   *     <prefix><clientId>/ws}
   * @return the admission: 404 for another path, 400 for a client id that is too long, 403 for an
   *     origin that is not allowed, 429 (with {@code Retry-After}) over {@code maxActiveClients} or
   *     the identity's cap, 503 when the bus is off or closed
   */
  public Admission admit(HttpRequestView req) {
    String p = req.path();
    if (!path.matcher(p).matches()) {
      return refuse(404, "not found");
    }
    String clientId = p.substring(engine.prefix().length(), p.length() - "/ws".length());
    if (clientId.length() > engineOptions.maxClientIdLength()) {
      return refuse(
          400, "client id too long: at most " + engineOptions.maxClientIdLength() + " characters");
    }
    String refusedOrigin = refusedOrigin(req);
    if (refusedOrigin != null) {
      failures.handle(new BadRequestException(403, refusedOrigin));
      return refuse(403, refusedOrigin);
    }
    if (closed || !engine.isListening()) {
      return refuse(503, "the message bus is not listening");
    }
    Runnable release;
    Client identity;
    try {
      Identity who = Identity.of(req, engineOptions, bus, engine.heldPollLimits());
      int active = engine.heldPolls() + engine.otherConnections.get();
      if (active >= engineOptions.maxActiveClients()) {
        throw new BadRequestException(
            429,
            "too many connections: at most " + engineOptions.maxActiveClients(),
            Map.of("Retry-After", Long.toString(engineOptions.heldPollsRetryAfter().toSeconds())));
      }
      release = engine.heldPollLimits().acquire(who.limitKey(), clientId);
      identity = who.client(clientId, 0, new LinkedHashMap<>(), engine.json());
    } catch (RuntimeException e) {
      Failures.Reply reply = failures.handle(e);
      return reply == null
          ? refuse(500, "internal error")
          : refused(new Admission(null, reply.status(), reply.reason(), reply.headers()));
    }
    WebSocketSession session =
        new WebSocketSession(this, identity, release, engine.json(), options, engineOptions);
    handshakes.put(session, engineOptions.ticker().getAsLong());
    return new Admission(session, 101, "", Map.of());
  }

  /** The session's socket was opened: its handshake is no longer pending. */
  void opened(WebSocketSession s) {
    handshakes.remove(s);
  }

  /**
   * Frees the slots of admitted sessions whose socket was not opened within {@link
   * #HANDSHAKE_TIMEOUT_SECONDS}; the ping thread calls it every tick.
   */
  void expireHandshakes() {
    if (handshakes.isEmpty()) {
      return;
    }
    long now = engineOptions.ticker().getAsLong();
    long timeout = TimeUnit.SECONDS.toNanos(HANDSHAKE_TIMEOUT_SECONDS);
    handshakes.forEach(
        (s, admittedAt) -> {
          if (now - admittedAt >= timeout && handshakes.remove(s, admittedAt)) {
            LOG.debug(
                "WebSocket of client {} was not opened within {} s of its admission: slot freed",
                s.clientId(),
                HANDSHAKE_TIMEOUT_SECONDS);
            s.handshakeExpired();
          }
        });
  }

  /** Admitted sessions whose socket is not opened yet (for tests). */
  int pendingHandshakes() {
    return handshakes.size();
  }

  /** Null when the request's origin may open a socket, else the reason it may not. */
  private @Nullable String refusedOrigin(HttpRequestView req) {
    String origin = req.header("Origin");
    if (origin == null) {
      return null; // not a browser: no ambient credentials to protect
    }
    List<String> allowed = options.allowedOrigins();
    if (allowed.contains("*")) {
      return null;
    }
    String normalised = WebSocketOptions.normalizeOrigin(origin);
    if (normalised != null) {
      if (allowed.isEmpty()
          ? sameOrigin(normalised, req.header("Host"))
          : allowed.contains(normalised)) {
        return null;
      }
    }
    return "origin not allowed: " + Reasons.echo(origin);
  }

  private static boolean sameOrigin(String origin, @Nullable String host) {
    if (host == null) {
      return false;
    }
    int sep = origin.indexOf("://");
    String scheme = origin.substring(0, sep);
    String authority = origin.substring(sep + 3);
    String h = host.trim().toLowerCase(java.util.Locale.ROOT);
    String defaultPortSuffix = ":" + WebSocketOptions.defaultPort(scheme);
    if (h.endsWith(defaultPortSuffix)) {
      h = h.substring(0, h.length() - defaultPortSuffix.length());
    }
    return authority.equals(h);
  }

  // ---------------------------------------------------------------- sessions and the index

  MessageBus bus() {
    return bus;
  }

  /** Registers an opened session; false when the endpoint is closed. */
  boolean register(WebSocketSession s) {
    if (closed) {
      return false;
    }
    if (sessions.add(s)) {
      engine.otherConnections.incrementAndGet();
    }
    return true;
  }

  /** Unregisters a session and removes it from every channel. Idempotent. */
  void unregister(WebSocketSession s, Collection<String> channels) {
    handshakes.remove(s);
    unindex(s, channels);
    if (sessions.remove(s)) {
      engine.otherConnections.decrementAndGet();
    }
  }

  void index(WebSocketSession s, Collection<String> channels) {
    ConcurrentHashMap<String, Set<WebSocketSession>> site =
        bySite.computeIfAbsent(siteKey(s.identity.siteId), k -> new ConcurrentHashMap<>());
    for (String c : channels) {
      site.computeIfAbsent(c, k -> ConcurrentHashMap.newKeySet()).add(s);
    }
  }

  void unindex(WebSocketSession s, Collection<String> channels) {
    ConcurrentHashMap<String, Set<WebSocketSession>> site = bySite.get(siteKey(s.identity.siteId));
    if (site == null) {
      return;
    }
    for (String c : channels) {
      site.computeIfPresent(
          c,
          (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
          });
    }
  }

  void slowConsumerClosed() {
    slowConsumersClosed.increment();
  }

  private static String siteKey(@Nullable String siteId) {
    return siteId == null ? NO_SITE : "=" + siteId;
  }

  /** Offers a live message to every socket subscribed to its channel and permitted to see it. */
  void notify(Message m) {
    List<Set<WebSocketSession>> targets = new ArrayList<>(1);
    if (ChannelNames.isGlobal(m.channel())) {
      for (ConcurrentHashMap<String, Set<WebSocketSession>> site : bySite.values()) {
        Set<WebSocketSession> set = site.get(m.channel());
        if (set != null) {
          targets.add(set);
        }
      }
    } else {
      ConcurrentHashMap<String, Set<WebSocketSession>> site = bySite.get(siteKey(m.siteId()));
      Set<WebSocketSession> set = site == null ? null : site.get(m.channel());
      if (set != null) {
        targets.add(set);
      }
    }
    if (targets.isEmpty()) {
      return;
    }
    Push push = new Push(m, engine.json(), bus);
    if (lanes == null) {
      offerAll(push, null, targets, -1);
      return;
    }
    Task task = new Task(push, out(push), targets);
    for (Lane lane : lanes) {
      lane.queue.add(task);
    }
  }

  /** The message as every socket sends it, encoded once. */
  private static WebSocketSession.Out out(Push push) {
    byte[] body = push.body();
    return new WebSocketSession.Out(new String(body, StandardCharsets.UTF_8), body.length, 1);
  }

  /**
   * Offers a message to the permitted sockets of the targets that belong to a lane (-1: all of
   * them); {@code out} is made on first use when null. One socket's failure does not stop the
   * others.
   */
  private void offerAll(
      Push push,
      WebSocketSession.@Nullable Out out,
      List<Set<WebSocketSession>> targets,
      int lane) {
    for (Set<WebSocketSession> set : targets) {
      for (WebSocketSession s : set) {
        if (lane >= 0 && s.lane != lane) {
          continue;
        }
        try {
          if (!Permissions.allowed(s.identity, push)) {
            continue;
          }
          if (out == null) {
            out = out(push);
          }
          s.offer(push, out);
        } catch (RuntimeException e) {
          LOG.warn(
              "failed to offer message {} to WebSocket client {}",
              push.message.globalId(),
              s.identity.id,
              e);
        }
      }
    }
  }

  /** The lane of a new socket: round robin over the lanes (0 when there is one). */
  int assignLane() {
    return lanes == null ? 0 : Math.floorMod(nextLane.getAndIncrement(), lanes.length);
  }

  /** Pings every socket, closing those that did not answer the previous ping. */
  void pingAll() {
    for (WebSocketSession s : sessions) {
      s.pingOrClose();
    }
  }

  /**
   * Pings the sockets of one slot, closing those that did not answer the previous ping; the ping
   * thread calls it for the next slot every interval / {@link #pingSlots()}.
   */
  void pingSlot(int slot) {
    for (WebSocketSession s : sessions) {
      if (s.pingSlot == slot) {
        s.pingOrClose();
      }
    }
  }

  private void pingNextSlot() {
    expireHandshakes();
    pingSlot(pingTick);
    pingTick = (pingTick + 1) % pingSlots;
  }

  /** The number of ping slots: each socket is pinged once every this many ticks. */
  int pingSlots() {
    return pingSlots;
  }

  /** The ping slot of a new socket: round robin over the slots. */
  int assignPingSlot() {
    return Math.floorMod(nextPingSlot.getAndIncrement(), pingSlots);
  }

  /** Stops listening to the bus and the pings, and closes every socket with 1001. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    engine.webSocketEndpoints.decrementAndGet();
    if (subscription != null) {
      subscription.unsubscribe();
    }
    pings.cancel(false);
    pinger.shutdownNow();
    if (lanes != null) {
      for (Lane lane : lanes) {
        lane.thread.interrupt();
      }
    }
    for (WebSocketSession s : new ArrayList<>(sessions)) {
      s.closeWith(WebSocketSession.CLOSE_GOING_AWAY, "server shutting down");
    }
    for (WebSocketSession s : new ArrayList<>(handshakes.keySet())) {
      s.handshakeExpired(); // never opened: nothing will free their slots now
    }
    handshakes.clear();
  }
}
