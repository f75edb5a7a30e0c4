package org.messagebus.postgres;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;

/**
 * Publish throughput and publish-to-subscriber latency of {@link PostgresBackend} on the real
 * PostgreSQL (figures in {@code docs/benchmarks-postgres.md}). Not a test: run it with
 *
 * <pre>
 * mvn -B -q -pl message-bus-postgres -am test-compile -Dspotless.check.skip=true
 * java -cp "$(cat message-bus-postgres/target/bench.cp):message-bus-postgres/target/classes:message-bus-postgres/target/test-classes:message-bus-core/target/classes" \
 *   org.messagebus.postgres.PostgresBenchmark [messages] [payloadBytes] [publisherThreads]
 * </pre>
 *
 * (write the classpath first with {@code mvn -q -pl message-bus-postgres dependency:build-classpath
 * -Dmdep.outputFile=target/bench.cp}). It works in a schema of its own and drops it afterwards.
 */
public final class PostgresBenchmark {

  private PostgresBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args message count (default 20,000), payload bytes (default 100), publisher threads
   *     (default 1)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    String payload = "x".repeat(size);
    try (PgTestSupport pg = PgTestSupport.create("bench");
        PostgresBackend backend = pg.backend().build()) {
      backend.publish("/warmup", payload, BackendPublishOptions.NONE);
      // Warm-up.
      for (int i = 0; i < 2_000; i++) {
        backend.publish("/warmup", payload, BackendPublishOptions.NONE);
      }
      // Throughput: publishers only, no subscriber.
      long t0 = System.nanoTime();
      Thread[] ts = new Thread[threads];
      int per = count / threads;
      for (int t = 0; t < threads; t++) {
        ts[t] =
            new Thread(
                () -> {
                  for (int i = 0; i < per; i++) {
                    backend.publish("/bench", payload, BackendPublishOptions.NONE);
                  }
                });
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "publish throughput: %d messages of %d bytes, %d thread(s): %.0f msg/s%n",
          per * threads, size, threads, per * threads / seconds);

      // Latency: one publisher, one global subscriber, one message at a time.
      BlockingQueue<Long> arrivals = new ArrayBlockingQueue<>(16);
      int samples = Math.min(count, 5_000);
      long[] latencies = new long[samples];
      try (BackendSubscription sub =
          backend.globalSubscribe(-1, m -> arrivals.add(System.nanoTime()))) {
        for (int i = 0; i < 200; i++) {
          backend.publish("/lat", payload, BackendPublishOptions.NONE);
          arrivals.poll(5, TimeUnit.SECONDS);
        }
        for (int i = 0; i < samples; i++) {
          long start = System.nanoTime();
          backend.publish("/lat", payload, BackendPublishOptions.NONE);
          Long at = arrivals.poll(5, TimeUnit.SECONDS);
          if (at == null) {
            throw new IllegalStateException("message " + i + " not delivered");
          }
          latencies[i] = at - start;
        }
      }
      Arrays.sort(latencies);
      System.out.printf(
          "publish->subscriber latency over %d messages: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          samples,
          latencies[samples / 2] / 1e6,
          latencies[(int) (samples * 0.99)] / 1e6,
          latencies[samples - 1] / 1e6);
      System.out.println("(" + Duration.ofNanos(System.nanoTime() - t0).toSeconds() + " s)");
    }
  }
}
