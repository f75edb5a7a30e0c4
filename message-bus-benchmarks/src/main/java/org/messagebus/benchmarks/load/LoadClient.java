// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The client side of the HTTP load test: N simulated browsers, each with its own client id and its
 * own TCP connection (java.nio, a few selector threads, no HTTP library), subscribed to one channel
 * of a load server ({@link LoadServer}, or the Ruby original behind {@code run-ruby.sh}); it has
 * the server publish warm-up and then measured messages at a fixed rate, and reports delivery (lost
 * and duplicated per run: every browser must get every message exactly once), publish→receipt
 * latency, polls and TCP connects, server CPU per delivery, Redis commands per poll, and the
 * server's heap and RSS.
 *
 * <p>Latency is the receipt time (wall clock, read when the socket is readable) minus the publish
 * time carried in the message; both processes share the machine's clock.
 *
 * <p>Arguments, as {@code key=value}: see {@link LoadArgs} (every option but {@code port} has a
 * default). The parts: {@link LoadArgs} (arguments), {@link ControlClient} (the server's control
 * routes), {@link LoadRun} (ramp, warm-up, measured window, drain), {@link SelectorWorker} (the
 * sockets), {@link Subscriber} (one browser's wire behaviour), {@link HttpResponseParser} and
 * {@link PieceReader} (replies), {@link LatencyStats} (HdrHistogram), {@link LoadReport}.
 */
public final class LoadClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private LoadClient() {}

  /**
   * Runs one load test, prints the report and a {@code RESULT {json}} line, and appends the JSON to
   * {@code out} when given.
   *
   * @param args {@code key=value} pairs, see {@link LoadArgs}
   * @throws Exception if the server cannot be reached or a phase fails
   */
  public static void main(String[] args) throws Exception {
    LoadArgs a;
    try {
      a = LoadArgs.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("LoadClient: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (!a.storm().isEmpty()) {
      new StormRun(a).run();
      return;
    }
    run(a);
  }

  /**
   * Runs one load test with parsed arguments.
   *
   * @param a the arguments
   * @return the report
   * @throws Exception if the server cannot be reached or a phase fails
   */
  static LoadReport run(LoadArgs a) throws Exception {
    LoadReport report = new LoadRun(a).run();
    Map<String, @Nullable Object> r = report.toMap();
    String json = JSON.writeValueAsString(r);
    System.out.println();
    System.out.print(report.summary(r));
    System.out.println("RESULT " + json);
    if (!a.out().isEmpty()) {
      Files.writeString(
          Path.of(a.out()), json + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    return report;
  }
}
