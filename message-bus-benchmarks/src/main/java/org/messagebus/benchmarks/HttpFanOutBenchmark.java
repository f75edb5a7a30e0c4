// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.http.EngineOptions;
import org.messagebus.http.HttpEngine;
import org.messagebus.http.HttpExchange;
import org.messagebus.micrometer.HttpEngineMetrics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What HTTP metrics cost the fan-out (issue 15): a memory bus, an {@link HttpEngine} and {@link
 * #clients} streaming polls held on it through in-process exchanges (no sockets, no container: the
 * engine's own code from the request to the bytes handed to the transport). One operation publishes
 * a message and spins until every held poll has been written its piece — the engine's dispatch,
 * recent window and fan-out (one lane: the bus's dispatch thread writes). {@code observer}: {@code
 * none} (no observer ever), {@code unbound} ({@link HttpEngineMetrics} bound, then closed: the hook
 * is back to its no-op) and {@code registry} ({@link HttpEngineMetrics} bound to a {@link
 * SimpleMeterRegistry}; the bus itself is not observed, {@link ObserverOverheadBenchmark} measures
 * that).
 *
 * <p>{@code java -jar message-bus-benchmarks/target/benchmarks.jar HttpFanOut}
 */
public class HttpFanOutBenchmark extends BenchmarkDefaults {

  /** {@code none}, {@code unbound} (bound, then closed) or {@code registry}. */
  @Param({"none", "unbound", "registry"})
  public String observer = "none";

  /** Streaming polls held on the engine. */
  @Param({"100"})
  public int clients = 100;

  private MessageBus bus;
  private HttpEngine engine;
  private @Nullable HttpEngineMetrics metrics;
  private final AtomicLong written = new AtomicLong();
  private long expected;

  /** Builds the bus and the engine, holds the polls and checks that a message reaches them all. */
  @Setup(Level.Trial)
  public void setUp() {
    bus = MessageBus.builder().build();
    engine = engine(bus, clients);
    if (!observer.equals("none")) {
      metrics = HttpEngineMetrics.bind(engine, new SimpleMeterRegistry());
      if (observer.equals("unbound")) {
        metrics.close();
        metrics = null;
      }
    }
    holdStreams(bus, engine, clients, written);
    // One message must reach every poll before measuring: otherwise the benchmark would spin
    // forever.
    bus.publish("/bench", PublishDispatchBenchmark.PAYLOAD);
    expected = clients;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (written.get() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "a message reached " + written.get() + " of " + clients + " held polls in 10 s");
      }
      Thread.onSpinWait();
    }
  }

  /**
   * An engine for {@code clients} held streams whose polls are never timed out, with one fan-out
   * lane: the thread that dispatches a message writes it to every stream.
   */
  static HttpEngine engine(MessageBus bus, int clients) {
    return new HttpEngine(
        bus,
        EngineOptions.builder()
            .timerThread(false) // the polls are never timed out
            .fanOutThreads(1)
            .maxActiveClients(clients + 1)
            .maxHeldPollsPerAddress(Integer.MAX_VALUE)
            .build());
  }

  /** Holds {@code clients} streaming polls of {@code /bench} at its last id; each counts writes. */
  static void holdStreams(MessageBus bus, HttpEngine engine, int clients, AtomicLong written) {
    long last = bus.lastId("/bench");
    for (int i = 0; i < clients; i++) {
      Exchange x = new Exchange("/message-bus/client" + i + "/poll", "/bench=" + last, written);
      if (!engine.handle(x, x.path(), x.path())) {
        throw new IllegalStateException("the engine did not take the poll");
      }
    }
    if (engine.heldPolls() != clients) {
      throw new IllegalStateException(
          "expected " + clients + " held polls, the engine holds " + engine.heldPolls());
    }
  }

  /** Unbinds, closes the engine (answering the polls) and the bus. */
  @TearDown(Level.Trial)
  public void tearDown() {
    if (metrics != null) {
      metrics.close();
    }
    engine.close();
    bus.close();
  }

  /**
   * Publishes one message and spins until every held poll has been written it.
   *
   * @return the message id
   */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long fanOut() {
    long id = bus.publish("/bench", PublishDispatchBenchmark.PAYLOAD);
    expected += clients;
    while (written.get() < expected) {
      Thread.onSpinWait();
    }
    return id;
  }

  /**
   * A streaming poll without a socket: an HTTP/1.1 POST of the form {@code /bench=<last id>},
   * always writable; it counts the pieces written to it and keeps no bytes.
   */
  static final class Exchange implements HttpExchange {
    private final String path;
    private final byte[] form;
    private final AtomicLong written;
    private volatile boolean committed;

    Exchange(String path, String form, AtomicLong written) {
      this.path = path;
      this.form = form.getBytes(StandardCharsets.UTF_8);
      this.written = written;
    }

    @Override
    public String method() {
      return "POST";
    }

    @Override
    public String protocol() {
      return "HTTP/1.1";
    }

    @Override
    public String path() {
      return path;
    }

    @Override
    public @Nullable String queryString() {
      return null;
    }

    @Override
    public @Nullable String header(String name) {
      return name.equalsIgnoreCase("Content-Type") ? "application/x-www-form-urlencoded" : null;
    }

    @Override
    public List<String> headers(String name) {
      String v = header(name);
      return v == null ? List.of() : List.of(v);
    }

    @Override
    public String remoteAddress() {
      return "192.0.2.1";
    }

    @Override
    public @Nullable Object attribute(String name) {
      return null;
    }

    @Override
    public String contextPath() {
      return "";
    }

    @Override
    public long contentLength() {
      return form.length;
    }

    @Override
    public <T> @Nullable T unwrap(Class<T> type) {
      return type.isInstance(this) ? type.cast(this) : null;
    }

    @Override
    public boolean canHold() {
      return true;
    }

    @Override
    public void readBody(int max, BodySink sink) {
      sink.body(form);
    }

    @Override
    public void status(int status) {}

    @Override
    public void header(String name, String value) {}

    @Override
    public void contentType(String value) {}

    @Override
    public void contentLength(long length) {}

    @Override
    public boolean isCommitted() {
      return committed;
    }

    @Override
    public void reset() {}

    @Override
    public void send(byte[] body) {
      committed = true;
    }

    @Override
    public void prepareHold() {}

    @Override
    public void hold(HeldListener listener) {
      listener.onWritePossible();
    }

    @Override
    public boolean frameStream(boolean mayKeepAlive) {
      return false;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void write(byte[] bytes) {
      committed = true;
      written.incrementAndGet();
    }

    @Override
    public void flush() {}

    @Override
    public void complete() {}

    @Override
    public DisconnectWatch watchDisconnect(Runnable onGone) {
      return DisconnectWatch.NONE;
    }
  }
}
