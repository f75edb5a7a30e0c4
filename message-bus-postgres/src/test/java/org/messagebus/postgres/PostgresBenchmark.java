// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.messagebus.MessageBus;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.Retention;

/**
 * Publish throughput (1 and 8 threads) and publish-to-subscriber latency of the PostgreSQL backend,
 * for {@code docs/benchmarks-postgres.md}; the same measurements as the Redis backend's {@code
 * RedisBenchmark}, so the figures sit side by side. Not a test: run it by hand. It works on a
 * schema of its own in the test database and drops it afterwards.
 *
 * <pre>
 * mvn -B -q -pl message-bus-postgres -am test-compile dependency:build-classpath \
 *   -Dmdep.outputFile=target/bench.cp -Dspotless.check.skip=true
 * java -cp "$(cat message-bus-postgres/target/bench.cp):message-bus-postgres/target/classes:message-bus-postgres/target/test-classes" \
 *   org.messagebus.postgres.PostgresBenchmark 10 1 100 1,8,32
 * </pre>
 */
public final class PostgresBenchmark {

  private static final String DATA = "hello world 0123456789";

  private PostgresBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args the seconds per measurement (default 10), {@code clearEvery} (default 1), {@code
   *     maxPublishBatch} (default 100; 1 is the behaviour before group commit) and the publishing
   *     thread counts, comma-separated (default {@code 1,8}), and how many times to alternate the
   *     two throughput measurements per thread count (default 1)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int clearEvery = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int maxPublishBatch =
        args.length > 2 ? Integer.parseInt(args[2]) : PostgresBackend.DEFAULT_MAX_PUBLISH_BATCH;
    int[] threadCounts =
        args.length > 3
            ? java.util.Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray()
            : new int[] {1, 8};
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d cores, %s, %d s per measurement, clearEvery %d, maxPublishBatch %d%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        PgTestSupport.URL,
        seconds,
        clearEvery,
        maxPublishBatch);
    try (PgTestSupport pg = PgTestSupport.create("bench")) {
      PostgresBackend backend =
          PostgresBackend.builder()
              .jdbcUrl(pg.url())
              .poolSize(10)
              .schema(pg.schema)
              .retention(Retention.builder().clearEvery(clearEvery).build())
              .maxPublishBatch(maxPublishBatch)
              .build();
      try (MessageBus bus =
          MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build()) {
        for (int threads : threadCounts) {
          throughput(threads, 2, () -> publishRaw(backend)); // warm-up
          for (int r = 0; r < rounds; r++) {
            double raw = throughput(threads, seconds, () -> publishRaw(backend));
            double viaBus = throughput(threads, seconds, () -> bus.publish("/b", DATA));
            System.out.printf(
                Locale.ROOT,
                "throughput %d thread(s): backend.publish %.0f msg/s, bus.publish %.0f msg/s%n",
                threads,
                raw,
                viaBus);
          }
        }
        latency(bus, seconds, "");
        // Announced by id only (over the 8,000-byte NOTIFY limit): the subscriber reads the row.
        latency(bus, seconds, "x".repeat(10_000));
      }
    }
  }

  private static void publishRaw(PostgresBackend backend) {
    backend.publish(
        "/b",
        "{\"data\":\"" + DATA + "\",\"user_ids\":null,\"group_ids\":null,\"client_ids\":null}",
        BackendPublishOptions.NONE);
  }

  private static double throughput(int threads, int seconds, Runnable op)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder count = new LongAdder();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          new Thread(
              () -> {
                while (!stop.get()) {
                  op.run();
                  count.increment();
                }
              }));
    }
    long start = System.nanoTime();
    workers.forEach(Thread::start);
    TimeUnit.SECONDS.sleep(seconds);
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    return count.sum() / ((System.nanoTime() - start) / 1e9);
  }

  /** One message in flight at a time: publish, wait for the subscriber, repeat. */
  private static void latency(MessageBus bus, int seconds, String padding)
      throws InterruptedException {
    LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    String channel = "/lat" + padding.length();
    bus.subscribe(
        channel,
        m -> {
          Map<?, ?> data = (Map<?, ?>) m.data();
          arrivals.add(System.nanoTime() - ((Number) data.get("t")).longValue());
        });
    List<Long> samples = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int warmup = 500;
    while (System.nanoTime() < end || samples.size() < 1000) {
      bus.publish(channel, Map.of("t", System.nanoTime(), "pad", padding));
      Long took = arrivals.poll(10, TimeUnit.SECONDS);
      if (took == null) {
        throw new IllegalStateException("a message did not arrive within 10 s");
      }
      if (warmup > 0) {
        warmup--;
      } else {
        samples.add(took);
      }
    }
    long[] sorted = samples.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "latency publish->subscriber, %d-byte padding (%d samples, one in flight): p50 %.0f us,"
            + " p99 %.0f us, p99.9 %.0f us%n",
        padding.length(),
        sorted.length,
        sorted[sorted.length / 2] / 1e3,
        sorted[(int) (sorted.length * 0.99)] / 1e3,
        sorted[(int) (sorted.length * 0.999)] / 1e3);
  }
}
