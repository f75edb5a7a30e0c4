// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The result of one load run: the JSON line appended to the results file (its keys are what {@code
 * plot-load.py} and the docs read) and the human summary. Per-delivery figures divide what was
 * measured over the measured window by the measured deliveries in it.
 */
final class LoadReport {

  private final LoadArgs args;
  String loadBefore = "";
  String loadAfter = "";
  double rampSeconds;
  double warmupSeconds;
  // the warm-up rounds until the JIT was quiet; null: not checked (no such rounds, or a server that
  // does not tell its compilation time)
  @Nullable Boolean jitQuiet;
  int jitWarmupRounds;
  long readyAfterRamp;
  long heldAfterRamp;
  double windowSeconds;
  long heldSettled = -1;
  // The server after the run with every poll held again (after full GCs); null until then.
  @Nullable ServerStats settled;
  // Null until the run has measured its window (fill).
  private @Nullable Measured measured;
  private long delivered;
  private long duplicates;
  private long unexpected;
  private long reconnects;
  private long heartbeats;
  private Map<String, Long> errors = Map.of();
  private final LatencyStats latency = new LatencyStats();
  private final LatencyStats viaBacklog = new LatencyStats();

  /**
   * The server's figures before the load, with every poll held, and the counters at both ends of
   * the measured window.
   */
  private record Measured(
      ServerStats base, ServerStats loaded, LoadRun.Window before, LoadRun.Window after) {}

  LoadReport(LoadArgs args) {
    this.args = args;
  }

  void fill(ServerStats base, ServerStats loaded, LoadRun.Window before, LoadRun.Window after) {
    this.measured = new Measured(base, loaded, before, after);
  }

  private Measured measured() {
    Measured m = measured;
    if (m == null) {
      throw new IllegalStateException("the run has not measured its window yet");
    }
    return m;
  }

  void tallies(List<Tally> tallies) {
    for (Tally t : tallies) {
      delivered += t.delivered.get();
      duplicates += t.duplicates;
      unexpected += t.unexpected;
      reconnects += t.reconnects;
      heartbeats += t.heartbeats.get();
      latency.add(t.latency);
      viaBacklog.add(t.viaBacklog);
    }
    errors = Tally.errors(tallies);
  }

  /**
   * Measured deliveries lost: every browser should have every measured message.
   *
   * @return expected − delivered
   */
  long lost() {
    return args.expected() - delivered;
  }

  /**
   * Measured messages received more than once.
   *
   * @return the count
   */
  long duplicates() {
    return duplicates;
  }

  /**
   * The result as the JSON line's map.
   *
   * @return key → value, in a fixed order
   */
  Map<String, @Nullable Object> toMap() {
    Measured m = measured();
    ServerStats base = m.base();
    ServerStats loaded = m.loaded();
    LoadRun.Window before = m.before();
    LoadRun.Window after = m.after();
    Map<String, @Nullable Object> r = new LinkedHashMap<>();
    r.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    r.put("label", args.label());
    r.put("server", base.server());
    r.put("backend", base.backend());
    r.put("mode", args.mode().key());
    r.put("keepAlive", args.keepAlive());
    r.put("n", args.n());
    r.put("rate", args.rate());
    r.put("count", args.count());
    r.put("warmup", args.warmup());
    r.put("warmupSeconds", round1(warmupSeconds));
    r.put("jitWarmupRounds", jitWarmupRounds);
    r.put("jitQuiet", jitQuiet);
    r.put("threads", args.threads());
    r.put("repollDelayMs", args.repollDelayMs());
    r.put("pollIntervalMs", args.mode() == PollMode.POLL ? args.pollIntervalMs() : null);
    r.put("rampSeconds", round1(rampSeconds));
    r.put("ready", readyAfterRamp);
    r.put("heldServer", heldAfterRamp);
    r.put("expected", args.expected());
    r.put("delivered", delivered);
    r.put("lost", lost());
    r.put("duplicates", duplicates);
    r.put("unexpected", unexpected);
    r.put("deliveredPercent", Math.round(delivered * 10000.0 / args.expected()) / 100.0);
    r.put("latencyP50Ms", latency.percentileMs(50));
    r.put("latencyP90Ms", latency.percentileMs(90));
    r.put("latencyP99Ms", latency.percentileMs(99));
    r.put("latencyP999Ms", latency.percentileMs(99.9));
    r.put("latencyMaxMs", latency.maxMs());
    r.put("viaBacklog", viaBacklog.count());
    r.put("viaBacklogP50Ms", viaBacklog.percentileMs(50));
    r.put("viaBacklogP99Ms", viaBacklog.percentileMs(99));
    long polls = after.polls() - before.polls();
    long connects = after.connects() - before.connects();
    double cpu = (after.server().cpuNanos() - before.server().cpuNanos()) / 1e9;
    double clientCpu = (after.clientCpu() - before.clientCpu()) / 1e9;
    long perDelivery = Math.max(1, delivered);
    r.put("windowSeconds", round1(windowSeconds));
    r.put("polls", polls);
    r.put("connects", connects);
    r.put("pollsPerDelivery", round3((double) polls / perDelivery));
    r.put("connectsPerDelivery", round3((double) connects / perDelivery));
    r.put("reconnects", reconnects);
    r.put("errors", errors);
    r.put("serverCpuSeconds", round3(cpu));
    r.put("serverCpuPerDeliveryUs", round1(cpu * 1e6 / perDelivery));
    Long jitBefore = before.server().jitMillis();
    Long jitAfter = after.server().jitMillis();
    double jit = jitBefore == null || jitAfter == null ? -1 : (jitAfter - jitBefore) / 1e3;
    r.put("serverJitSeconds", jit < 0 ? null : round3(jit));
    r.put("serverJitPercentOfCpu", jit < 0 || cpu <= 0 ? null : round1(jit * 100 / cpu));
    r.put("clientCpuPerDeliveryUs", round1(clientCpu * 1e6 / perDelivery));
    long allocated = after.server().allocatedBytes() - before.server().allocatedBytes();
    r.put("serverAllocatedBytes", allocated);
    r.put("serverAllocatedPerDeliveryBytes", allocated / perDelivery);
    r.put("serverAllocatedPerPollBytes", polls > 0 ? allocated / polls : null);
    Map<String, Long> redis = RedisCommandStats.delta(before.redis(), after.redis());
    long redisTotal = redis.values().stream().mapToLong(Long::longValue).sum();
    boolean redisRead = !after.redis().isEmpty();
    r.put("redisCommands", redisRead ? redis : null);
    r.put("redisCommandsTotal", redisRead ? redisTotal : null);
    r.put(
        "redisCommandsPerPoll",
        redisRead && polls > 0 ? round3((double) redisTotal / polls) : null);
    r.put("redisCommandsPerDelivery", redisRead ? round3((double) redisTotal / perDelivery) : null);
    r.put("serverHeapBaseline", base.heapUsed());
    r.put("serverHeapHeld", loaded.heapUsed());
    r.put("heapPerPollBytes", heapPerPollBytes(m));
    r.put("serverRssBaseline", base.rss());
    r.put("serverRssHeld", loaded.rss());
    r.put("serverRssEnd", after.server().rss());
    r.put("rssPerPollBytes", rssPerPollBytes(m));
    ServerStats s = settled;
    r.put("heldSettled", heldSettled);
    r.put("serverHeapSettled", s == null ? null : s.heapUsed());
    r.put("serverRssSettled", s == null ? null : s.rss());
    r.put("serverThreadsSettled", s == null ? null : s.threads());
    r.put("serverFds", loaded.fds());
    r.put("serverProcesses", loaded.processes());
    r.put("published", after.server().published());
    r.put("publishFailures", after.server().publishFailures());
    r.put("loadBefore", loadBefore);
    r.put("loadAfter", loadAfter);
    r.put("clientJava", Runtime.version().toString());
    r.put("cores", Runtime.getRuntime().availableProcessors());
    // sse and websocket modes: what the server held after the ramp, and the keepalives received
    r.put("serverEventStreams", loaded.eventStreams());
    r.put("serverWebSockets", loaded.webSockets());
    r.put("heartbeats", heartbeats);
    return r;
  }

  /**
   * The human summary.
   *
   * @param r the map from {@link #toMap()}
   * @return several lines
   */
  String summary(Map<String, @Nullable Object> r) {
    Measured m = measured();
    ServerStats base = m.base();
    ServerStats loaded = m.loaded();
    StringBuilder s = new StringBuilder();
    line(
        s,
        "server             %s, %s backend, %s, keep-alive %s",
        r.get("server"),
        r.get("backend"),
        r.get("mode"),
        r.get("keepAlive"));
    line(
        s,
        "ramp               %d of %d polling, server holds %d, after %.1f s",
        readyAfterRamp,
        args.n(),
        heldAfterRamp,
        rampSeconds);
    line(
        s,
        "delivered          %d / %d (%.2f%%), lost %d, duplicates %d, unexpected %d",
        delivered,
        args.expected(),
        r.get("deliveredPercent"),
        lost(),
        duplicates,
        unexpected);
    line(s, "latency ms         %s", latency.summary());
    line(
        s,
        "via a backlog      %d deliveries (p50 %.1f ms, p99 %.1f ms): published before the poll",
        viaBacklog.count(),
        r.get("viaBacklogP50Ms"),
        r.get("viaBacklogP99Ms"));
    line(
        s,
        "polls / connects   %d / %d in the window: %.3f connects per delivery; reconnects %d",
        r.get("polls"),
        r.get("connects"),
        r.get("connectsPerDelivery"),
        reconnects);
    line(s, "errors             %s", errors);
    line(
        s,
        "server CPU         %.2f s over %.1f s: %.1f us per delivery (client %.1f us)%s",
        r.get("serverCpuSeconds"),
        windowSeconds,
        r.get("serverCpuPerDeliveryUs"),
        r.get("clientCpuPerDeliveryUs"),
        r.get("serverJitSeconds") == null
            ? ""
            : String.format(
                Locale.ROOT,
                "; the JIT compiled for %s s of it (%s %%)",
                r.get("serverJitSeconds"),
                r.get("serverJitPercentOfCpu")));
    line(
        s,
        "server allocation  %s per delivery, %s per poll (heap bytes, live threads)",
        kib(longOf(r.get("serverAllocatedPerDeliveryBytes"))),
        r.get("serverAllocatedPerPollBytes") == null
            ? "-"
            : kib(longOf(r.get("serverAllocatedPerPollBytes"))));
    if (r.get("redisCommands") != null) {
      line(
          s,
          "Redis commands     %d in the window, %s per poll, %s per delivery: %s",
          r.get("redisCommandsTotal"),
          r.get("redisCommandsPerPoll"),
          r.get("redisCommandsPerDelivery"),
          r.get("redisCommands"));
    }
    line(
        s,
        "server heap        %s -> %s after GC: %s per held poll",
        mib(base.heapUsed()),
        mib(loaded.heapUsed()),
        kib(heapPerPollBytes(m)));
    line(
        s,
        "server RSS         %s -> %s (end %s): %s per held poll (%d processes)",
        mib(base.rss()),
        mib(loaded.rss()),
        mib(m.after().server().rss()),
        kib(rssPerPollBytes(m)),
        loaded.processes());
    if (args.mode() == PollMode.SSE || args.mode() == PollMode.WEBSOCKET) {
      line(
          s,
          "streams / sockets  %d / %d open after the ramp; %d heartbeats or pings received",
          loaded.eventStreams(),
          loaded.webSockets(),
          heartbeats);
    }
    line(s, "load average       %s -> %s", loadBefore, loadAfter);
    return s.toString();
  }

  // Per held poll in held modes; per browser in poll mode (nothing is held there).
  private long heldPolls() {
    return args.mode().held() && heldAfterRamp > 0 ? heldAfterRamp : args.n();
  }

  private static long longOf(@Nullable Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }

  private long heapPerPollBytes(Measured m) {
    long base = m.base().heapUsed();
    return base < 0 ? -1 : (m.loaded().heapUsed() - base) / heldPolls();
  }

  private long rssPerPollBytes(Measured m) {
    return (m.loaded().rss() - m.base().rss()) / heldPolls();
  }

  // A value may be null: the figures a run does not have (Redis commands without Redis).
  private static void line(StringBuilder s, String format, @Nullable Object... values) {
    s.append(String.format(Locale.ROOT, format, values)).append('\n');
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static String kib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f KiB", bytes / 1024.0);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
