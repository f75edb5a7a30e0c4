// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.messagebus.MessageBus;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.testkit.Services;

/**
 * Publish throughput (1 and 8 threads) and publish-to-subscriber latency of the Redis backend, for
 * {@code docs/benchmarks-redis.md}. Not a test: run it by hand against a Redis nobody else is
 * loading. It empties the database it is given (default 5) before it starts.
 *
 * <pre>
 * mvn -q -pl message-bus-redis -am test-compile
 * mvn -q -pl message-bus-redis dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp message-bus-redis/target/test-classes:message-bus-redis/target/classes:$(cat /tmp/cp.txt) \
 *   org.messagebus.redis.RedisBenchmark redis://127.0.0.1:6379/5 10
 * </pre>
 *
 * <p>The ceiling, the same script driven by {@code redis-benchmark}, is in the Markdown file.
 *
 * <p>System properties: {@code threads} (default {@code 1,8}: the thread counts measured) and
 * {@code subscribed} (default false: no subscriber during the throughput phases, as {@code
 * redis-benchmark} has none; true: a {@code bus.subscribe} of another channel runs, so the bus's
 * global subscription, a Lettuce pub/sub connection and the dispatcher receive every publish) and
 * {@code latency} (default true: measure the publish-to-subscriber latency after the throughput).
 */
public final class RedisBenchmark {

  private static final String DATA = "hello world 0123456789";

  private RedisBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args the Redis URI (default database 5 of the tests' shared Redis, {@link
   *     Services#redisUri(int)}) and the seconds per measurement (default 10)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    String uri = args.length > 0 ? args[0] : Services.redisUri(5);
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int[] threadCounts =
        Arrays.stream(System.getProperty("threads", "1,8").split(",", -1))
            .mapToInt(Integer::parseInt)
            .toArray();
    boolean subscribed = Boolean.getBoolean("subscribed");
    RedisClient admin = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = admin.connect()) {
      c.sync().flushdb();
    }
    admin.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d cores, %s, %d s per measurement, Netty transport %s, subscriber during"
            + " throughput: %s%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        uri,
        seconds,
        EpollProvider.isAvailable() ? "epoll" : IOUringProvider.isAvailable() ? "io_uring" : "nio",
        subscribed);

    RedisBackend backend = RedisBackend.create(uri);
    try (MessageBus bus =
        MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build()) {
      if (subscribed) {
        awaitSubscribed(bus);
      }
      for (int threads : threadCounts) {
        throughput("backend.publish", threads, 2, () -> publishRaw(backend)); // warm-up
        double raw = throughput("backend.publish", threads, seconds, () -> publishRaw(backend));
        double viaBus = throughput("bus.publish", threads, seconds, () -> bus.publish("/b", DATA));
        System.out.printf(
            Locale.ROOT,
            "throughput %d thread(s): backend.publish %.0f msg/s, bus.publish %.0f msg/s%n",
            threads,
            raw,
            viaBus);
      }
      if (Boolean.parseBoolean(System.getProperty("latency", "true"))) {
        latency(bus, seconds);
      }
    }
  }

  /** Subscribes to another channel and waits until the bus's global subscription delivers. */
  private static void awaitSubscribed(MessageBus bus) throws InterruptedException {
    LinkedBlockingQueue<Object> ready = new LinkedBlockingQueue<>();
    bus.subscribe("/sub-ready", m -> ready.add(m.data()));
    bus.publish("/sub-ready", "ready");
    if (ready.poll(10, TimeUnit.SECONDS) == null) {
      throw new IllegalStateException("the subscription did not deliver within 10 s");
    }
  }

  private static void publishRaw(RedisBackend backend) {
    backend.publish(
        "/b",
        "{\"data\":\"" + DATA + "\",\"user_ids\":null,\"group_ids\":null,\"client_ids\":null}",
        BackendPublishOptions.NONE);
  }

  private static double throughput(String what, int threads, int seconds, Runnable op)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder count = new LongAdder();
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                while (!stop.get()) {
                  op.run();
                  count.increment();
                }
                done.countDown();
              },
              what + "-" + t);
      workers.add(w);
    }
    long start = System.nanoTime();
    workers.forEach(Thread::start);
    TimeUnit.SECONDS.sleep(seconds);
    stop.set(true);
    done.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    return count.sum() / elapsed;
  }

  /** One message in flight at a time: publish, wait for the subscriber, repeat. */
  private static void latency(MessageBus bus, int seconds) throws InterruptedException {
    LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    bus.subscribe("/lat", m -> arrivals.add(System.nanoTime() - ((Number) m.data()).longValue()));
    List<Long> samples = new ArrayList<>();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    int warmup = 2000;
    while (System.nanoTime() < end || samples.size() < 1000) {
      bus.publish("/lat", System.nanoTime());
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
        "latency publish->subscriber (%d samples, one in flight): p50 %.0f us, p99 %.0f us,"
            + " p99.9 %.0f us%n",
        sorted.length,
        sorted[sorted.length / 2] / 1e3,
        sorted[(int) (sorted.length * 0.99)] / 1e3,
        sorted[(int) (sorted.length * 0.999)] / 1e3);
  }
}
