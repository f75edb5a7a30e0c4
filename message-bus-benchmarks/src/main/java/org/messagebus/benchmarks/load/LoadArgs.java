// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load client's arguments, given as {@code key=value}. Every option but {@code port} has a
 * default; unknown keys and out-of-range values are rejected with a message naming the option.
 *
 * @param host server address ({@value #DEFAULT_HOST})
 * @param port server port (required)
 * @param n simulated browsers, one client id each ({@value #DEFAULT_N})
 * @param mode {@code streaming}, {@code longpoll}, {@code poll}, {@code sse} or {@code websocket}
 *     (streaming)
 * @param keepAlive whether to reuse a connection for the next poll when the server allows it
 *     (true); false sends {@code Connection: close} and opens a connection per poll
 * @param rate messages published per second ({@value #DEFAULT_RATE})
 * @param count measured messages ({@value #DEFAULT_COUNT})
 * @param warmup messages published and not counted before the measured run ({@value
 *     #DEFAULT_WARMUP})
 * @param channel the channel ({@value #DEFAULT_CHANNEL})
 * @param threads selector threads ({@value #DEFAULT_THREADS})
 * @param sources loopback source addresses 127.0.0.1..k to spread connections over ({@value
 *     #DEFAULT_SOURCES}, at most 250)
 * @param maxConnecting connects in flight at once per thread ({@value #DEFAULT_MAX_CONNECTING})
 * @param rampSeconds how long to wait for every browser to be polling ({@value
 *     #DEFAULT_RAMP_SECONDS})
 * @param warmupSeconds how long to wait for the warm-up messages to arrive ({@value
 *     #DEFAULT_WARMUP_SECONDS})
 * @param drainSeconds how long to wait for late deliveries after the last publish ({@value
 *     #DEFAULT_DRAIN_SECONDS})
 * @param pollIntervalMs poll mode: time from one poll's start to the next when a reply carried no
 *     data ({@value #DEFAULT_POLL_INTERVAL_MS}; browsers use 15,000)
 * @param repollDelayMs wait before the next poll after a reply that carried data, or after a stream
 *     ended ({@value #DEFAULT_REPOLL_DELAY_MS}; browsers wait 100)
 * @param redis Redis URI whose {@code INFO commandstats} is read before and after the measured
 *     window; empty: the one the server names in its stats; {@code none}: not read
 * @param label free text copied into the result (empty)
 * @param out file to append the result to as one JSON line (empty: none)
 * @param diagnostics file to write the server's memory diagnostics to once the run is over and
 *     every poll is held again (empty: none; Java server only)
 * @param ports scale-out: the ports of several servers on one store, comma-separated, to spread the
 *     browsers over (selector thread {@code t} connects to {@code ports[t % ports.size()]}, so
 *     {@code threads} must be a multiple of their number); the control routes (stats, publish) stay
 *     on {@code port}. Empty (the default): every browser on {@code port}
 * @param channels how many channels the browsers are spread over ({@value #DEFAULT_CHANNELS}): with
 *     more than one, browser {@code i} polls {@code <channel>/<i % channels>} and message {@code k}
 *     is published on {@code <channel>/<k % channels>}, so each browser gets every {@code
 *     channels}-th message
 * @param sampleSeconds the soak's sampling period: every this many seconds of the measured window,
 *     one line with the server's heap (after a full collection), RSS, threads and file descriptors
 *     and the latency of the period is printed and appended to {@code samplesOut} (0, the default:
 *     none)
 * @param samplesOut file to append the samples to as JSON lines (empty: printed only)
 * @param storm a storm run instead of a delivery run ({@link StormRun}): {@code repoll} (when the
 *     held polls of browsers that polled together come back) or {@code outage} (when they come back
 *     after the server is killed and restarted); the browsers then follow the JavaScript client's
 *     schedule and error backoff. Empty (the default): the delivery run
 * @param backoffJitter storm runs: the JavaScript client's {@code backoffJitter}, each wait after a
 *     failure lengthened by a random fraction of itself up to this (0, the default: the stock
 *     client's exact delays)
 * @param stormSeconds storm runs: how long to record arrivals from the moment every browser is held
 *     ({@value #DEFAULT_STORM_SECONDS})
 * @param jitQuietPercent after the warm-up messages, more warm-up rounds until the server's JIT is
 *     quiet: a round's compilation time at most this per cent of the server's CPU time in it, or
 *     under {@value #JIT_QUIET_FLOOR_MS} ms ({@value #DEFAULT_JIT_QUIET_PERCENT}; 0: no such
 *     rounds; only for a server that tells its compilation time, the Java one)
 * @param jitRoundSeconds how long one such round publishes ({@value #DEFAULT_JIT_ROUND_SECONDS};
 *     streaming: more than the server's long-polling interval, so that a round sees every stream
 *     end and restart once)
 * @param jitWarmupMaxSeconds at most this long in such rounds ({@value
 *     #DEFAULT_JIT_WARMUP_MAX_SECONDS}); the run then goes on and its result says the JIT was not
 *     quiet
 */
record LoadArgs(
    String host,
    int port,
    int n,
    PollMode mode,
    boolean keepAlive,
    double rate,
    int count,
    int warmup,
    String channel,
    int threads,
    int sources,
    int maxConnecting,
    int rampSeconds,
    int warmupSeconds,
    int drainSeconds,
    int pollIntervalMs,
    int repollDelayMs,
    String redis,
    String label,
    String out,
    String diagnostics,
    List<Integer> ports,
    int channels,
    int sampleSeconds,
    String samplesOut,
    String storm,
    double backoffJitter,
    int stormSeconds,
    int jitQuietPercent,
    int jitRoundSeconds,
    int jitWarmupMaxSeconds) {

  static final String DEFAULT_HOST = "127.0.0.1";
  static final int DEFAULT_N = 1000;
  static final double DEFAULT_RATE = 2;
  static final int DEFAULT_COUNT = 60;
  static final int DEFAULT_WARMUP = 20;
  static final String DEFAULT_CHANNEL = "/load";
  static final int DEFAULT_THREADS = 1;
  static final int DEFAULT_SOURCES = 1;
  static final int DEFAULT_MAX_CONNECTING = 200;
  static final int DEFAULT_RAMP_SECONDS = 120;
  static final int DEFAULT_WARMUP_SECONDS = 60;
  static final int DEFAULT_DRAIN_SECONDS = 30;
  static final int DEFAULT_POLL_INTERVAL_MS = 1000;
  static final int DEFAULT_REPOLL_DELAY_MS = 0;
  static final int DEFAULT_CHANNELS = 1;
  static final int DEFAULT_STORM_SECONDS = 90;
  static final int DEFAULT_JIT_QUIET_PERCENT = 5;
  static final int DEFAULT_JIT_ROUND_SECONDS = 10;
  static final int DEFAULT_JIT_WARMUP_MAX_SECONDS = 300;

  /** Compilation time under which a warm-up round counts as quiet whatever the server's CPU. */
  static final long JIT_QUIET_FLOOR_MS = 100;

  private static final Set<String> KEYS =
      Set.of(
          "host",
          "port",
          "n",
          "mode",
          "keepAlive",
          "rate",
          "count",
          "warmup",
          "channel",
          "threads",
          "sources",
          "maxConnecting",
          "rampSeconds",
          "warmupSeconds",
          "drainSeconds",
          "pollIntervalMs",
          "repollDelayMs",
          "redis",
          "label",
          "out",
          "diagnostics",
          "ports",
          "channels",
          "sampleSeconds",
          "samplesOut",
          "storm",
          "backoffJitter",
          "stormSeconds",
          "jitQuietPercent",
          "jitRoundSeconds",
          "jitWarmupMaxSeconds");

  /**
   * Reads and validates the arguments.
   *
   * @param args {@code key=value} pairs
   * @return the arguments with defaults filled in
   * @throws IllegalArgumentException naming the option that is missing, unknown or out of range
   */
  static LoadArgs parse(String... args) {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("arguments are key=value, not: " + arg);
      }
      String key = arg.substring(0, eq);
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown option " + key + " (known: " + KEYS + ")");
      }
      if (a.put(key, arg.substring(eq + 1)) != null) {
        throw new IllegalArgumentException("option " + key + " given twice");
      }
    }
    if (!a.containsKey("port")) {
      throw new IllegalArgumentException("missing option port=...");
    }
    String channel = a.getOrDefault("channel", DEFAULT_CHANNEL);
    if (!channel.startsWith("/")) {
      throw new IllegalArgumentException("channel must start with /: " + channel);
    }
    List<Integer> ports = ports(a.getOrDefault("ports", ""));
    int threads = integer(a, "threads", DEFAULT_THREADS, 1, 64);
    if (!ports.isEmpty() && threads % ports.size() != 0) {
      throw new IllegalArgumentException(
          "threads ("
              + threads
              + ") must be a multiple of the number of ports ("
              + ports.size()
              + ")");
    }
    return new LoadArgs(
        a.getOrDefault("host", DEFAULT_HOST),
        integer(a, "port", -1, 1, 65535),
        integer(a, "n", DEFAULT_N, 1, 1_000_000),
        PollMode.parse(a.getOrDefault("mode", PollMode.STREAMING.key())),
        bool(a, "keepAlive", true),
        rate(a),
        integer(a, "count", DEFAULT_COUNT, 1, 1_000_000),
        integer(a, "warmup", DEFAULT_WARMUP, 0, 1_000_000),
        channel,
        threads,
        integer(a, "sources", DEFAULT_SOURCES, 1, 250),
        integer(a, "maxConnecting", DEFAULT_MAX_CONNECTING, 1, 100_000),
        integer(a, "rampSeconds", DEFAULT_RAMP_SECONDS, 1, 3600),
        integer(a, "warmupSeconds", DEFAULT_WARMUP_SECONDS, 1, 3600),
        integer(a, "drainSeconds", DEFAULT_DRAIN_SECONDS, 0, 3600),
        integer(a, "pollIntervalMs", DEFAULT_POLL_INTERVAL_MS, 1, 3_600_000),
        integer(a, "repollDelayMs", DEFAULT_REPOLL_DELAY_MS, 0, 3_600_000),
        a.getOrDefault("redis", ""),
        a.getOrDefault("label", ""),
        a.getOrDefault("out", ""),
        a.getOrDefault("diagnostics", ""),
        ports,
        integer(a, "channels", DEFAULT_CHANNELS, 1, 100_000),
        integer(a, "sampleSeconds", 0, 0, 3600),
        a.getOrDefault("samplesOut", ""),
        storm(a.getOrDefault("storm", "")),
        backoffJitter(a.getOrDefault("backoffJitter", "0")),
        integer(a, "stormSeconds", DEFAULT_STORM_SECONDS, 1, 3600),
        integer(a, "jitQuietPercent", DEFAULT_JIT_QUIET_PERCENT, 0, 100),
        integer(a, "jitRoundSeconds", DEFAULT_JIT_ROUND_SECONDS, 1, 3600),
        integer(a, "jitWarmupMaxSeconds", DEFAULT_JIT_WARMUP_MAX_SECONDS, 0, 36_000));
  }

  private static String storm(String v) {
    if (!v.isEmpty() && !v.equals("repoll") && !v.equals("outage")) {
      throw new IllegalArgumentException("storm must be repoll or outage, not: " + v);
    }
    return v;
  }

  private static double backoffJitter(String v) {
    double j;
    try {
      j = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("backoffJitter must be a number, not: " + v);
    }
    if (!(j >= 0 && j <= 10)) {
      throw new IllegalArgumentException("backoffJitter must be in [0, 10], not: " + v);
    }
    return j;
  }

  private static List<Integer> ports(String v) {
    List<Integer> ports = new ArrayList<>();
    if (v.isEmpty()) {
      return List.of();
    }
    for (String p : v.split(",", -1)) {
      int port;
      try {
        port = Integer.parseInt(p.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("ports must be port numbers, comma-separated: " + v);
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("ports must be between 1 and 65535: " + v);
      }
      ports.add(port);
    }
    return List.copyOf(ports);
  }

  /**
   * The ports the browsers connect to: {@link #ports}, or {@link #port} alone.
   *
   * @return at least one port
   */
  List<Integer> subscriberPorts() {
    return ports.isEmpty() ? List.of(port) : ports;
  }

  private static int integer(Map<String, String> a, String key, int def, int min, int max) {
    String v = a.get(key);
    if (v == null) {
      return def;
    }
    int i;
    try {
      i = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, not: " + v);
    }
    if (i < min || i > max) {
      throw new IllegalArgumentException(key + " must be in " + min + ".." + max + ", not: " + v);
    }
    return i;
  }

  private static boolean bool(Map<String, String> a, String key, boolean def) {
    String v = a.get(key);
    if (v == null) {
      return def;
    }
    return switch (v) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, not: " + v);
    };
  }

  private static double rate(Map<String, String> a) {
    String v = a.get("rate");
    if (v == null) {
      return DEFAULT_RATE;
    }
    double r;
    try {
      r = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rate must be a number, not: " + v);
    }
    if (!(r > 0 && r <= 1_000_000)) {
      throw new IllegalArgumentException("rate must be in (0, 1000000], not: " + v);
    }
    return r;
  }

  /**
   * The channel browser {@code index} polls.
   *
   * @param index the browser
   * @return {@link #channel}, or {@code <channel>/<index % channels>} with several channels
   */
  String channelOf(long index) {
    return channels == 1 ? channel : channel + "/" + (index % channels);
  }

  /**
   * How many of {@code total} messages, published round-robin over the channels, browser {@code
   * index} gets.
   *
   * @param total messages published
   * @param index the browser
   * @return total with one channel; otherwise those numbered {@code index % channels} modulo
   *     channels
   */
  long share(long total, long index) {
    long c = index % channels;
    return total / channels + (c < total % channels ? 1 : 0);
  }

  /**
   * The number of deliveries a complete run has: every browser gets every measured message of its
   * channel.
   *
   * @return n × count with one channel
   */
  long expected() {
    return deliveries(count);
  }

  /**
   * The deliveries of {@code total} messages over every browser.
   *
   * @param total messages published
   * @return the sum of {@link #share} over the browsers
   */
  long deliveries(long total) {
    if (channels == 1) {
      return (long) n * total;
    }
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += share(total, i);
    }
    return sum;
  }
}
