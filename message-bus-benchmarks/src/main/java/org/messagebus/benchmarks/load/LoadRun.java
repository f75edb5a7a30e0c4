// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * One load run in its phases: <b>ramp</b> (every browser polling, and for held modes every poll
 * held by the server), <b>warm-up</b> (messages published and not counted, until every browser has
 * them, so the server's JIT has compiled the paths a long-running server would have), the
 * <b>measured window</b> (the measured messages published at the rate, until every browser has
 * every one or the drain time after the last publish has passed; server CPU, Redis commands, TCP
 * connects and polls are read at both ends of it), and the <b>report</b>.
 *
 * <p>The phases wait by looking at counters every 100–500 ms; they never decide anything on a fixed
 * sleep.
 */
final class LoadRun {

  /** Counters at one end of the measured window. */
  record Window(
      ServerStats server, Map<String, Long> redis, long polls, long connects, long clientCpu) {}

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final LoadArgs args;
  private final ControlClient control;
  private final List<SelectorWorker> workers = new ArrayList<>();

  LoadRun(LoadArgs args) {
    this.args = args;
    this.control = new ControlClient(args.host(), args.port());
  }

  /**
   * Runs every phase and prints progress and the report.
   *
   * @return the result, as written to the JSON line
   * @throws Exception if the server cannot be reached or a phase fails
   */
  LoadReport run() throws Exception {
    LoadReport report = new LoadReport(args);
    report.loadBefore = loadAverage();
    ServerStats base = control.stats(true);
    List<Integer> ports = args.subscriberPorts();
    for (int t = 0; t < args.threads(); t++) {
      InetSocketAddress server = new InetSocketAddress(args.host(), ports.get(t % ports.size()));
      workers.add(new SelectorWorker(t, args, server));
    }
    for (int i = 0; i < args.n(); i++) {
      workers.get(i % args.threads()).assign(i);
    }
    String redisUri = args.redis().isEmpty() ? base.redisUri() : args.redis();
    @Nullable RedisCommandStats redis =
        redisUri == null || redisUri.isEmpty() || redisUri.equals("none")
            ? null
            : new RedisCommandStats(redisUri);
    try {
      long rampStart = System.nanoTime();
      workers.forEach(Thread::start);
      long held = awaitPolling("ramp", rampStart);
      report.rampSeconds = (System.nanoTime() - rampStart) / 1e9;
      report.readyAfterRamp = sum(t -> t.ready.get());
      report.heldAfterRamp = held;
      ServerStats loaded = control.stats(true);
      warmUp(report);
      Window before = window(redis);
      long start = System.nanoTime();
      control.publish(args.rate(), args.count(), false, args.channels());
      awaitDeliveries(start);
      report.windowSeconds = (System.nanoTime() - start) / 1e9;
      Window after = window(redis);
      report.loadAfter = loadAverage();
      report.fill(base, loaded, before, after);
      // Memory at rest after the load: every poll held again, after full collections.
      report.heldSettled = awaitPolling("settle", System.nanoTime());
      report.settled = control.stats(true);
      if (!args.diagnostics().isEmpty()) {
        Files.writeString(Path.of(args.diagnostics()), control.diagnostics());
        System.out.println("server diagnostics: " + args.diagnostics());
      }
    } finally {
      for (SelectorWorker w : workers) {
        w.halt();
      }
      for (SelectorWorker w : workers) {
        w.join();
      }
      if (redis != null) {
        redis.close();
      }
    }
    report.tallies(workers.stream().map(SelectorWorker::tally).toList());
    if (!args.ports().isEmpty()) {
      printPerNode();
    }
    return report;
  }

  /**
   * Scale-out: delivery and latency of the browsers of each server (selector thread {@code t} polls
   * port {@code t % ports}), one {@code NODE} line each.
   */
  private void printPerNode() {
    List<Integer> ports = args.ports();
    for (int k = 0; k < ports.size(); k++) {
      long browsers = 0;
      long delivered = 0;
      long duplicates = 0;
      LatencyStats latency = new LatencyStats();
      for (int t = k; t < workers.size(); t += ports.size()) {
        Tally tally = workers.get(t).tally();
        delivered += tally.delivered.get();
        duplicates += tally.duplicates;
        latency.add(tally.latency);
      }
      for (int i = 0; i < args.n(); i++) {
        if ((i % args.threads()) % ports.size() == k) {
          browsers++;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "NODE %d port %d: %d browsers, delivered %d of %d, duplicates %d, p50 %.1f ms,"
              + " p99 %.1f ms%n",
          k + 1,
          ports.get(k),
          browsers,
          delivered,
          browsers * args.count(),
          duplicates,
          latency.percentileMs(50),
          latency.percentileMs(99));
    }
  }

  private Window window(@Nullable RedisCommandStats redis)
      throws IOException, InterruptedException {
    return new Window(
        control.stats(false),
        redis == null ? Map.of() : redis.read(),
        sum(t -> t.polls.get()),
        sum(t -> t.connects.get()),
        ownCpuNanos());
  }

  /** Waits until every browser is polling and, for held modes, the server holds every poll. */
  private long awaitPolling(String phase, long since) throws IOException, InterruptedException {
    long deadline = since + args.rampSeconds() * 1_000_000_000L;
    long lastPrint = System.nanoTime();
    long held = -1;
    while (System.nanoTime() < deadline) {
      long ready = sum(t -> t.ready.get());
      if (ready >= args.n()) {
        held = held();
        if (!args.mode().held() || held >= args.n()) {
          return held;
        }
      }
      if (System.nanoTime() - lastPrint > 2_000_000_000L) {
        lastPrint = System.nanoTime();
        progress(phase + ": " + ready + " of " + args.n() + " polling, server holds " + held);
      }
      Thread.sleep(100);
    }
    progress(phase + ": gave up waiting after " + args.rampSeconds() + " s");
    return held();
  }

  /**
   * Polls held by the server, or by every server the browsers are spread over; Server-Sent Events
   * streams are among them, WebSocket connections are added.
   */
  private long held() throws IOException, InterruptedException {
    if (args.ports().isEmpty()) {
      return held(control.stats(false));
    }
    long held = 0;
    for (int p : args.ports()) {
      held += held(new ControlClient(args.host(), p).stats(false));
    }
    return held;
  }

  private static long held(ServerStats s) {
    return s.held() + s.webSockets();
  }

  private void warmUp(LoadReport report) throws IOException, InterruptedException {
    if (args.warmup() == 0) {
      return;
    }
    long start = System.nanoTime();
    control.publish(args.rate(), args.warmup(), true, args.channels());
    long want = args.deliveries(args.warmup());
    long deadline =
        start
            + (long) ((args.warmup() - 1) / args.rate() * 1e9)
            + args.warmupSeconds() * 1_000_000_000L;
    while (sum(t -> t.warmup.get()) < want && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    long got = sum(t -> t.warmup.get());
    System.out.printf(
        Locale.ROOT,
        "warm-up: %d messages, %d of %d deliveries (not counted) after %.1f s%n",
        args.warmup(),
        got,
        want,
        (System.nanoTime() - start) / 1e9);
    untilJitQuiet(want, report);
    report.warmupSeconds = (System.nanoTime() - start) / 1e9;
    if (args.mode().held()) {
      awaitPolling("after warm-up", System.nanoTime());
    }
  }

  /**
   * Warm-up rounds until the server's JIT is quiet: each round publishes {@code jitRoundSeconds} of
   * messages at the run's rate (not counted) and compares the server's compilation time with its
   * CPU time over the round. Without this, a mode whose paths run seldom (a stream's end and
   * restart, once per long-polling interval per browser) is still being compiled in the measured
   * window, and its CPU figures count the compiler's work.
   *
   * @param want warm-up deliveries expected so far
   * @param report where the rounds and whether the JIT went quiet are recorded
   */
  private void untilJitQuiet(long want, LoadReport report)
      throws IOException, InterruptedException {
    if (args.jitQuietPercent() == 0) {
      return;
    }
    // each round's closing figures open the next one
    ServerStats before = control.stats(false);
    if (before.jitMillis() == null) {
      return;
    }
    long start = System.nanoTime();
    long max = start + args.jitWarmupMaxSeconds() * 1_000_000_000L;
    int perRound = Math.max(1, (int) Math.round(args.rate() * args.jitRoundSeconds()));
    int rounds = 0;
    while (true) {
      control.publish(args.rate(), perRound, true, args.channels());
      want += args.deliveries(perRound);
      long deadline =
          System.nanoTime()
              + (long) ((perRound - 1) / args.rate() * 1e9)
              + args.warmupSeconds() * 1_000_000_000L;
      while (sum(t -> t.warmup.get()) < want && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      ServerStats after = control.stats(false);
      rounds++;
      long jitMs =
          Objects.requireNonNull(after.jitMillis()) - Objects.requireNonNull(before.jitMillis());
      long cpuNanos = after.cpuNanos() - before.cpuNanos();
      boolean quiet = jitQuiet(jitMs, cpuNanos, args.jitQuietPercent());
      System.out.printf(
          Locale.ROOT,
          "warm-up round %d: the JIT compiled for %d ms of %.2f s of server CPU (%s)%n",
          rounds,
          jitMs,
          cpuNanos / 1e9,
          quiet ? "quiet" : "still compiling");
      if (quiet || System.nanoTime() >= max) {
        report.jitQuiet = quiet;
        report.jitWarmupRounds = rounds;
        return;
      }
      before = after;
    }
  }

  /**
   * Whether a warm-up round's compilation counts as quiet: at most {@code percent} per cent of the
   * server's CPU time in the round, or under {@link LoadArgs#JIT_QUIET_FLOOR_MS}.
   */
  static boolean jitQuiet(long jitMillis, long cpuNanos, int percent) {
    return jitMillis < LoadArgs.JIT_QUIET_FLOOR_MS
        || jitMillis * 1_000_000L * 100 <= (long) percent * cpuNanos;
  }

  private void awaitDeliveries(long start) throws InterruptedException, IOException {
    long publishEnd = start + (long) ((args.count() - 1) / args.rate() * 1e9);
    long deadline = publishEnd + args.drainSeconds() * 1_000_000_000L;
    long lastPrint = System.nanoTime();
    long sampleNanos = args.sampleSeconds() * 1_000_000_000L;
    long nextSample = start + sampleNanos;
    while (System.nanoTime() < deadline) {
      long delivered = sum(t -> t.delivered.get());
      if (delivered >= args.expected()) {
        return;
      }
      if (sampleNanos > 0 && System.nanoTime() >= nextSample) {
        nextSample += sampleNanos;
        sample(start, delivered);
      }
      if (System.nanoTime() - lastPrint > 2_000_000_000L) {
        lastPrint = System.nanoTime();
        progress("measuring: delivered " + delivered + " of " + args.expected());
      }
      Thread.sleep(50);
    }
  }

  /**
   * Soak: one sample of the server (heap after a full collection, RSS, threads, descriptors, held
   * polls) and of the latency of the deliveries since the last sample, printed as {@code SAMPLE
   * {json}} and appended to {@code samplesOut}.
   */
  private void sample(long start, long delivered) throws IOException, InterruptedException {
    LatencyStats period = new LatencyStats();
    for (SelectorWorker w : workers) {
      period.add(w.tally().takePeriod());
    }
    Map<String, Object> s = new java.util.LinkedHashMap<>();
    ServerStats server = control.stats(true);
    s.put("seconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
    s.put("heapUsed", server.heapUsed());
    s.put("rss", server.rss());
    s.put("threads", server.threads());
    s.put("fds", server.fds());
    s.put("held", server.held());
    s.put("published", server.published());
    s.put("delivered", delivered);
    s.put("deliveries", period.count());
    s.put("p50Ms", period.count() == 0 ? 0 : period.percentileMs(50));
    s.put("p99Ms", period.count() == 0 ? 0 : period.percentileMs(99));
    s.put("maxMs", period.count() == 0 ? 0 : period.maxMs());
    s.put("load", loadAverage());
    String json = JSON.writeValueAsString(s);
    System.out.println("SAMPLE " + json);
    if (!args.samplesOut().isEmpty()) {
      Files.writeString(
          Path.of(args.samplesOut()),
          json + "\n",
          java.nio.charset.StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
  }

  private long sum(ToLongFunction<Tally> f) {
    long s = 0;
    for (SelectorWorker w : workers) {
      s += f.applyAsLong(w.tally());
    }
    return s;
  }

  private void progress(String what) {
    Map<String, Long> errors = Tally.errors(workers.stream().map(SelectorWorker::tally).toList());
    System.out.println(what + (errors.isEmpty() ? "" : " errors " + errors));
  }

  private static long ownCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", -1);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "";
    }
  }
}
