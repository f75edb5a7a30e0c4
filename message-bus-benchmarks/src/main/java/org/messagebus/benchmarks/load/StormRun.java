// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A storm run ({@code storm=repoll} or {@code storm=outage}): the browsers follow the JavaScript
 * client's schedule and error backoff ({@link Subscriber#nextPollAt}, {@link Subscriber#failedAt});
 * once every one is held (in {@code longpoll} mode, after one message has ended every held poll, so
 * that every poll starts within the same moment, as after any broadcast), the {@link StormRecorder}
 * starts and {@code STORM READY} is printed (for an outage, {@code run-load.sh} then kills the
 * server and restarts it); after {@code stormSeconds} the spread of the arrivals is reported: for
 * {@code repoll} each browser's first poll after the start (the re-poll when its held poll ends)
 * and every poll; for {@code outage} each browser's reconnection (its first poll answered 200 after
 * a failure) and every poll after the first failure. Nothing is published. See {@code
 * docs/operations.md}, "Storms".
 */
final class StormRun {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final LoadArgs args;
  private final ControlClient control;
  private final StormRecorder recorder;
  private final List<SelectorWorker> workers = new ArrayList<>();

  StormRun(LoadArgs args) {
    this.args = args;
    this.control = new ControlClient(args.host(), args.port());
    this.recorder = new StormRecorder(args.stormSeconds());
  }

  /**
   * Runs the storm, prints the figures and a {@code STORM {json}} line, and appends the JSON to
   * {@code out} when given.
   *
   * @return the figures
   * @throws Exception if the server cannot be reached before the storm
   */
  Map<String, Object> run() throws Exception {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("storm", args.storm());
    r.put("label", args.label());
    r.put("n", args.n());
    r.put("mode", args.mode().key());
    r.put("backoffJitter", args.backoffJitter());
    r.put("loadBefore", loadAverage());
    List<Integer> ports = args.subscriberPorts();
    for (int t = 0; t < args.threads(); t++) {
      SelectorWorker w =
          new SelectorWorker(
              t, args, new InetSocketAddress(args.host(), ports.get(t % ports.size())));
      w.tally().storm = recorder;
      workers.add(w);
    }
    for (int i = 0; i < args.n(); i++) {
      workers.get(i % args.threads()).assign(i);
    }
    try {
      long rampStart = System.nanoTime();
      workers.forEach(Thread::start);
      long held = ramp(rampStart);
      r.put("rampSeconds", round((System.nanoTime() - rampStart) / 1e9));
      if (args.mode() == PollMode.LONGPOLL) {
        // One message to every browser: each held poll ends, and each browser polls again 100 ms
        // later, so every poll now starts within that moment (as after any broadcast).
        long polls = sum(t -> t.polls.get());
        long syncStart = System.nanoTime();
        control.publish(10, 1, true, args.channels());
        held = awaitRepolled(polls + almostAll());
        r.put("syncSeconds", round((System.nanoTime() - syncStart) / 1e9));
      }
      r.put("heldAtStart", held);
      recorder.start();
      System.out.println("STORM READY");
      System.out.flush();
      long end = recorder.startNanos() + args.stormSeconds() * 1_000_000_000L;
      while (System.nanoTime() < end) {
        Thread.sleep(Math.min(5000, Math.max(1, (end - System.nanoTime()) / 1_000_000L)));
        System.out.println(
            "storm: "
                + Math.round((System.nanoTime() - recorder.startNanos()) / 1e9)
                + " s, polls "
                + sum(t -> t.polls.get())
                + ", failures "
                + recorder.failures.get()
                + ", load "
                + loadAverage());
      }
      r.put("loadAfter", loadAverage());
    } finally {
      for (SelectorWorker w : workers) {
        w.halt();
      }
      for (SelectorWorker w : workers) {
        w.join();
      }
    }
    long firstFailure = recorder.firstFailureNanos.get();
    double failureAt =
        firstFailure == Long.MAX_VALUE ? -1 : round((firstFailure - recorder.startNanos()) / 1e9);
    r.put("failures", recorder.failures.get());
    r.put("firstFailure", failureAt);
    if (args.storm().equals("repoll")) {
      r.put("repolls", recorder.spread(recorder.firstPolls, 0));
      r.put("allPolls", recorder.spread(recorder.polls, 0));
    } else {
      r.put("reconnects", recorder.spread(recorder.reconnects, 0));
      r.put("pollsAfterFailure", recorder.spread(recorder.polls, Math.max(0, failureAt)));
    }
    r.put("errors", Tally.errors(workers.stream().map(SelectorWorker::tally).toList()));
    String json = JSON.writeValueAsString(r);
    System.out.println("STORM " + json);
    if (!args.out().isEmpty()) {
      Files.writeString(
          Path.of(args.out()), json + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    return r;
  }

  /** Waits until every browser knows its position and the server holds every poll. */
  private long ramp(long since) throws IOException, InterruptedException {
    long deadline = since + args.rampSeconds() * 1_000_000_000L;
    long held = -1;
    long lastPrint = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long ready = sum(t -> t.ready.get());
      if (ready >= args.n()) {
        held = control.stats(false).held();
        if (held >= almostAll()) {
          return held;
        }
      }
      if (System.nanoTime() - lastPrint > 2_000_000_000L) {
        lastPrint = System.nanoTime();
        System.out.println("ramp: " + ready + " of " + args.n() + " polling, server holds " + held);
      }
      Thread.sleep(100);
    }
    throw new IOException("ramp: not every poll held after " + args.rampSeconds() + " s");
  }

  /** Waits until the browsers have sent this many polls in all and the server holds them. */
  private long awaitRepolled(long polls) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + args.rampSeconds() * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (sum(t -> t.polls.get()) >= polls) {
        long held = control.stats(false).held();
        if (held >= almostAll()) {
          return held;
        }
      }
      Thread.sleep(50);
    }
    throw new IOException("sync: the browsers did not all poll again");
  }

  /**
   * 99 % of the browsers: with a fixed 25 s hold and a ramp longer than that, the first browsers'
   * polls end and are re-sent while the last ones connect, so "every poll held" may never be seen.
   */
  private long almostAll() {
    return (long) args.n() - args.n() / 100;
  }

  private long sum(java.util.function.ToLongFunction<Tally> f) {
    long s = 0;
    for (SelectorWorker w : workers) {
      s += f.applyAsLong(w.tally());
    }
    return s;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
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
