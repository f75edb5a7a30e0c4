// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendState;
import org.messagebus.BackendStateListener;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.observe.BusObserver;
import org.messagebus.observe.ObserverRegistration;
import org.messagebus.observe.PublishOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numbers of the live diagnostics dashboard ({@code _diagnostics/stats.json}), for this process
 * only, kept in memory of a fixed size: counters fed by the bus's and the engine's observation
 * hooks ({@link BusObserver}, {@link HttpObserver}), a ring of {@value #SAMPLES} one-second samples
 * (the last five minutes of publish, dispatch and delivery rates and held polls), the busiest
 * channels among at most {@value #TRACKED} tracked (messages per 10-s bucket over five minutes; a
 * new channel replaces the quietest when the table is full), and the last {@value #EVENTS} error
 * events. Nothing is published on the bus.
 *
 * <p><b>Threads.</b> Observer methods run on publishing threads, the dispatch thread, request and
 * I/O threads: they only add to {@link LongAdder}s, except {@link #dispatched(Message)} (the
 * dispatch thread) and the error log, which take this object's monitors briefly. One daemon thread
 * takes a sample every second; {@link #snapshot} runs on a request thread. Created only when the
 * engine has an admin lookup (the dashboard can be seen); {@link #close()} stops the sampler and
 * removes the hooks.
 *
 * <p><b>Size.</b> Over 500 lines because it implements both observer interfaces (one short method
 * per event) and renders its own JSON snapshot, so that the HTTP module needs no metrics library;
 * the sample ring, the channel table and the error log are each a few lines of it.
 */
final class DashboardStats implements HttpObserver, AutoCloseable {

  static final int SAMPLES = 300;
  static final int TRACKED = 64;
  static final int TOP = 10;
  static final int EVENTS = 20;
  private static final int BUCKETS = 30;
  private static final long BUCKET_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();
  private static final Logger LOG = LoggerFactory.getLogger(DashboardStats.class);

  private final MessageBus bus;
  private final LongSupplier ticker;
  private final IntSupplier held;
  private final IntSupplier eventStreams;
  private final IntSupplier webSockets;
  private final long startedNanos;
  private final String hostname = hostname();
  private final long pid = ProcessHandle.current().pid();

  // bus
  private final Map<PublishOutcome, LongAdder> publishes = new EnumMap<>(PublishOutcome.class);
  private final LongAdder dispatched = new LongAdder();
  private final LongAdder listenerFailures = new LongAdder();
  private final LongAdder publishDropped = new LongAdder();
  private final LongAdder catchUps = new LongAdder();
  private final LongAdder disconnects = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  // http
  private final Map<PollMode, LongAdder> polls = new EnumMap<>(PollMode.class);
  private final Map<PollOutcome, LongAdder> pollOutcomes = new EnumMap<>(PollOutcome.class);
  private final LongAdder delivered = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder overCapacity = new LongAdder();
  private final LongAdder webSocketOpens = new LongAdder();
  private final Map<Integer, LongAdder> webSocketCloses = new ConcurrentHashMap<>();

  // guarded by ring: one sample a second, the oldest overwritten
  private final long[][] ring = new long[SAMPLES][];
  private int samples;
  // guarded by channels
  private final Map<String, Channel> channels = new HashMap<>();
  // guarded by events
  private final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();

  private final ObserverRegistration busRegistration;
  private final BackendStateListener stateListener;
  private final ScheduledExecutorService sampler;

  DashboardStats(
      MessageBus bus,
      LongSupplier ticker,
      IntSupplier held,
      IntSupplier eventStreams,
      IntSupplier webSockets) {
    this.bus = bus;
    this.ticker = ticker;
    this.held = held;
    this.eventStreams = eventStreams;
    this.webSockets = webSockets;
    this.startedNanos = ticker.getAsLong();
    for (PublishOutcome o : PublishOutcome.values()) {
      publishes.put(o, new LongAdder());
    }
    for (PollMode m : PollMode.values()) {
      polls.put(m, new LongAdder());
    }
    for (PollOutcome o : PollOutcome.values()) {
      pollOutcomes.put(o, new LongAdder());
    }
    this.stateListener = new StateListener();
    bus.addBackendStateListener(stateListener);
    this.busRegistration = bus.observe(new BusHook());
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "message-bus-dashboard-" + THREAD_IDS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    sample();
    var unused = sampler.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
  }

  /** Takes one sample: the cumulative counters and the held polls, with the wall-clock time. */
  void sample() {
    long[] s = {
      bus.clock().millis(),
      publishes.values().stream().mapToLong(LongAdder::sum).sum(),
      dispatched.sum(),
      delivered.sum(),
      held.getAsInt(),
      errors()
    };
    synchronized (ring) {
      ring[samples % SAMPLES] = s;
      samples++;
    }
  }

  private long errors() {
    return Objects.requireNonNull(publishes.get(PublishOutcome.FAILED)).sum()
        + listenerFailures.sum()
        + publishDropped.sum()
        + Objects.requireNonNull(pollOutcomes.get(PollOutcome.SERVER_ERROR)).sum();
  }

  /** Every message the engine receives from the bus, on the dispatch thread. */
  void dispatched(Message m) {
    long now = ticker.getAsLong();
    long bucket = Math.floorDiv(now, BUCKET_NANOS);
    String key = m.siteId() == null ? m.channel() : m.siteId() + '\u0000' + m.channel();
    synchronized (channels) {
      Channel c = channels.get(key);
      if (c == null) {
        if (channels.size() >= TRACKED) {
          Channel quietest = null;
          long least = Long.MAX_VALUE;
          for (Channel each : channels.values()) {
            long n = each.recent(bucket);
            if (n < least) {
              least = n;
              quietest = each;
            }
          }
          if (quietest != null) {
            channels.remove(quietest.key);
          }
        }
        c = new Channel(key, m.channel(), m.siteId());
        channels.put(key, c);
      }
      c.add(bucket, m.messageId(), now);
    }
  }

  /** What the dashboard shows, as JSON-ready maps and lists. */
  Map<String, Object> snapshot() {
    Map<String, Object> out = new LinkedHashMap<>();
    long now = ticker.getAsLong();
    Map<String, Object> process = new LinkedHashMap<>();
    process.put("hostname", hostname);
    process.put("pid", pid);
    process.put("uptime", TimeUnit.NANOSECONDS.toSeconds(now - startedNanos));
    process.put(
        "jvm_uptime",
        TimeUnit.MILLISECONDS.toSeconds(ManagementFactory.getRuntimeMXBean().getUptime()));
    out.put("process", process);
    out.put("time", bus.clock().millis());

    Map<String, Object> totals = new LinkedHashMap<>();
    Map<String, Object> byOutcome = new LinkedHashMap<>();
    publishes.forEach((o, n) -> byOutcome.put(name(o), n.sum()));
    totals.put("publishes", byOutcome);
    totals.put("dispatched", dispatched.sum());
    totals.put("delivered", delivered.sum());
    totals.put("bytes", bytes.sum());
    Map<String, Object> pollsByMode = new LinkedHashMap<>();
    polls.forEach((mode, n) -> pollsByMode.put(name(mode), n.sum()));
    totals.put("polls", pollsByMode);
    Map<String, Object> outcomes = new LinkedHashMap<>();
    pollOutcomes.forEach((o, n) -> outcomes.put(name(o), n.sum()));
    totals.put("poll_outcomes", outcomes);
    totals.put("over_capacity", overCapacity.sum());
    totals.put("websocket_opens", webSocketOpens.sum());
    out.put("totals", totals);

    Map<String, Object> current = new LinkedHashMap<>();
    current.put("held_polls", held.getAsInt());
    current.put("sse_streams", eventStreams.getAsInt());
    current.put("websockets", webSockets.getAsInt());
    current.put("subscriptions", bus.subscriptionCount());
    out.put("current", current);

    Map<String, Object> backend = new LinkedHashMap<>();
    backend.put("name", backendName(bus));
    backend.put("state", bus.backendState().name().toLowerCase(Locale.ROOT));
    backend.put("healthy", bus.isHealthy());
    backend.put("queued", bus.backend().queuedPublishes());
    backend.put("disconnects", disconnects.sum());
    backend.put("reconnects", reconnects.sum());
    backend.put("catch_ups", catchUps.sum());
    backend.put(
        "failure", bus.backendFailure().map(f -> Reasons.oneLine(f.toString(), 200)).orElse(null));
    out.put("backend", backend);

    Map<String, Object> errors = new LinkedHashMap<>();
    errors.put(
        "publish_failed", Objects.requireNonNull(publishes.get(PublishOutcome.FAILED)).sum());
    errors.put("publish_dropped", publishDropped.sum());
    errors.put("listener_failures", listenerFailures.sum());
    errors.put(
        "poll_server_errors",
        Objects.requireNonNull(pollOutcomes.get(PollOutcome.SERVER_ERROR)).sum());
    errors.put(
        "poll_client_errors",
        Objects.requireNonNull(pollOutcomes.get(PollOutcome.CLIENT_ERROR)).sum());
    errors.put(
        "poll_too_many",
        Objects.requireNonNull(pollOutcomes.get(PollOutcome.TOO_MANY_REQUESTS)).sum());
    errors.put(
        "streams_cut_off", Objects.requireNonNull(pollOutcomes.get(PollOutcome.CUT_OFF)).sum());
    Map<String, Object> closes = new LinkedHashMap<>();
    webSocketCloses.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                closes.put(
                    e.getKey() == CLOSED_BY_CLIENT ? "client" : e.getKey().toString(),
                    e.getValue().sum()));
    errors.put("websocket_closes", closes);
    synchronized (events) {
      errors.put("recent", new ArrayList<>(events));
    }
    out.put("errors", errors);

    out.put("series", series());
    out.put("channels", busiest(now));
    return out;
  }

  /** Per-second rates between consecutive samples, and the held polls of each sample. */
  private Map<String, Object> series() {
    List<long[]> ordered = new ArrayList<>();
    synchronized (ring) {
      int n = Math.min(samples, SAMPLES);
      for (int i = samples - n; i < samples; i++) {
        ordered.add(ring[i % SAMPLES]);
      }
    }
    List<Long> time = new ArrayList<>();
    List<Double> publishRate = new ArrayList<>();
    List<Double> dispatchRate = new ArrayList<>();
    List<Double> deliveryRate = new ArrayList<>();
    List<Long> heldPolls = new ArrayList<>();
    List<Double> errorRate = new ArrayList<>();
    for (int i = 1; i < ordered.size(); i++) {
      long[] a = ordered.get(i - 1);
      long[] b = ordered.get(i);
      double seconds = Math.max(1, b[0] - a[0]) / 1000.0;
      time.add(b[0]);
      publishRate.add(rate(b[1] - a[1], seconds));
      dispatchRate.add(rate(b[2] - a[2], seconds));
      deliveryRate.add(rate(b[3] - a[3], seconds));
      heldPolls.add(b[4]);
      errorRate.add(rate(b[5] - a[5], seconds));
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("time", time);
    s.put("publishes", publishRate);
    s.put("dispatched", dispatchRate);
    s.put("delivered", deliveryRate);
    s.put("held_polls", heldPolls);
    s.put("errors", errorRate);
    return s;
  }

  private static double rate(long delta, double seconds) {
    return Math.round(delta / seconds * 100) / 100.0;
  }

  /** The busiest tracked channels of the last five minutes, with their backlog and last id. */
  private List<Map<String, Object>> busiest(long now) {
    long bucket = Math.floorDiv(now, BUCKET_NANOS);
    List<Row> top = new ArrayList<>();
    synchronized (channels) {
      for (Channel c : channels.values()) {
        long recent = c.recent(bucket);
        if (recent > 0) {
          top.add(new Row(c.channel, c.site, recent, c.lastId, c.lastSeen));
        }
      }
    }
    top.sort(Comparator.comparingLong(Row::recent).reversed().thenComparing(Row::channel));
    List<Map<String, Object>> out = new ArrayList<>();
    for (Row c : top.subList(0, Math.min(TOP, top.size()))) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("channel", c.channel);
      row.put("site", c.site);
      row.put("messages", c.recent);
      row.put("last_id", c.lastId);
      row.put("idle_seconds", TimeUnit.NANOSECONDS.toSeconds(now - c.lastSeen));
      Integer backlog;
      try {
        backlog = bus.backlog(c.channel, 0, c.site).size();
      } catch (RuntimeException e) {
        backlog = null; // the store is unreachable: shown as unknown
      }
      row.put("backlog", backlog);
      out.add(row);
    }
    return out;
  }

  private void event(String kind, @Nullable String detail) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("time", bus.clock().millis());
    e.put("kind", kind);
    e.put("detail", detail);
    synchronized (events) {
      if (events.size() >= EVENTS) {
        events.removeFirst();
      }
      events.addLast(e);
    }
  }

  private static String name(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  static String backendName(MessageBus bus) {
    String n = bus.backend().getClass().getSimpleName();
    if (n.endsWith("Backend") && n.length() > "Backend".length()) {
      n = n.substring(0, n.length() - "Backend".length());
    }
    return n.toLowerCase(Locale.ROOT);
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String env = System.getenv("HOSTNAME");
      return env != null ? env : "localhost";
    }
  }

  // ------------------------------------------------------------------ HttpObserver

  @Override
  public void pollEnded(PollMode mode, PollOutcome outcome) {
    Objects.requireNonNull(polls.get(mode)).increment();
    Objects.requireNonNull(pollOutcomes.get(outcome)).increment();
    if (outcome == PollOutcome.SERVER_ERROR) {
      event("poll_server_error", name(mode));
    }
  }

  @Override
  public void delivered(int messages) {
    delivered.add(messages);
  }

  @Override
  public void bytesWritten(long n) {
    bytes.add(n);
  }

  @Override
  public void overCapacity() {
    overCapacity.increment();
  }

  @Override
  public void webSocketOpened() {
    webSocketOpens.increment();
  }

  @Override
  public void webSocketClosed(int code) {
    webSocketCloses.computeIfAbsent(code, c -> new LongAdder()).increment();
    if (code != CLOSED_BY_CLIENT && code != WebSocketSession.CLOSE_GOING_AWAY) {
      event("websocket_closed", Integer.toString(code));
    }
  }

  @Override
  public String toString() {
    return "DashboardStats";
  }

  /** Stops sampling and removes the hooks from the bus. Idempotent. */
  @Override
  public void close() {
    sampler.shutdownNow();
    busRegistration.close();
    bus.removeBackendStateListener(stateListener);
    try {
      // a sample takes microseconds: the thread is gone when the engine's close returns
      if (!sampler.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.debug("the dashboard's sampler thread did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The bus's events. */
  private final class BusHook implements BusObserver {
    @Override
    public void published(PublishOutcome outcome, long nanos) {
      Objects.requireNonNull(publishes.get(outcome)).increment();
      if (outcome == PublishOutcome.FAILED) {
        event("publish_failed", null);
      }
    }

    @Override
    public void dispatched() {
      dispatched.increment();
    }

    @Override
    public void listenerFailed() {
      listenerFailures.increment();
      event("listener_failed", null);
    }

    @Override
    public void backendCatchUp(int messages) {
      catchUps.increment();
    }

    @Override
    public void publishDropped() {
      publishDropped.increment();
      event("publish_dropped", null);
    }

    @Override
    public String toString() {
      return "DashboardStats";
    }
  }

  /** Counts the changes of the backend's connection state. */
  private final class StateListener implements BackendStateListener {
    private @Nullable BackendState last; // one change at a time

    @Override
    public void onBackendStateChange(BackendState state, @Nullable Throwable cause) {
      BackendState before = last;
      last = state;
      if (before == null || before == state) {
        return;
      }
      if (state == BackendState.DISCONNECTED) {
        disconnects.increment();
        event(
            "backend_disconnected", cause == null ? null : Reasons.oneLine(cause.toString(), 200));
      } else if (state == BackendState.CONNECTED && before == BackendState.DISCONNECTED) {
        reconnects.increment();
        event("backend_reconnected", null);
      }
    }
  }

  private record Row(
      String channel, @Nullable String site, long recent, long lastId, long lastSeen) {}

  /** A tracked channel: messages per 10-s bucket over the last five minutes, its last id. */
  private static final class Channel {
    final String key;
    final String channel;
    final @Nullable String site;
    final long[] counts = new long[BUCKETS];
    final long[] buckets = new long[BUCKETS];
    long lastId;
    long lastSeen;

    Channel(String key, String channel, @Nullable String site) {
      this.key = key;
      this.channel = channel;
      this.site = site;
      Arrays.fill(buckets, Long.MIN_VALUE);
    }

    void add(long bucket, long id, long now) {
      int i = (int) Math.floorMod(bucket, (long) BUCKETS);
      if (buckets[i] != bucket) {
        buckets[i] = bucket;
        counts[i] = 0;
      }
      counts[i]++;
      lastId = id;
      lastSeen = now;
    }

    long recent(long bucket) {
      long n = 0;
      for (int i = 0; i < BUCKETS; i++) {
        if (buckets[i] > bucket - BUCKETS) {
          n += counts[i];
        }
      }
      return n;
    }
  }
}
