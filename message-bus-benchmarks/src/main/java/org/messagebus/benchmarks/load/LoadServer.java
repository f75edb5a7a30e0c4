// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.http.WebSocketEndpoint;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.spi.DaemonThreads;

/**
 * The server side of the HTTP load test: a bus on the chosen backend ({@link LoadBackend}: memory,
 * Redis or PostgreSQL) served by {@link MessageBusServer}, plus control routes under {@code
 * /control/} that the load client uses to read the server's state and to start publishing. The Ruby
 * load server of {@code run-ruby.sh} offers the same routes.
 *
 * <ul>
 *   <li>{@code GET /control/stats[?gc=true]}: {@link ServerStats} as JSON: held polls, heap used
 *       (after two full GCs when asked), RSS and CPU time from {@code /proc/self}, open file
 *       descriptors, messages published, the channel's last id, the backend and its Redis URI.
 *   <li>{@code POST /control/publish?rate=R&count=C[&warmup=true]}: publishes C messages on the
 *       load channel at R per second, each {@code {"n": index, "t": epoch microseconds at publish}}
 *       ({@code "n": -1} for warm-up messages, which the client does not count).
 *   <li>{@code GET /control/diagnostics}: {@code {"text": ...}}, what {@code jcmd} would print for
 *       {@code GC.heap_info}, {@code VM.native_memory summary} (with {@code
 *       -XX:NativeMemoryTracking=summary}) and the top of {@code GC.class_histogram}, read in the
 *       process through the {@code DiagnosticCommand} MBean, and the largest resident mappings of
 *       {@code /proc/self/smaps}.
 *   <li>{@code POST /control/stop}: stops the server.
 * </ul>
 *
 * <p>System properties (all optional): {@code port} (0: any free port), {@code host} ({@value
 * MessageBusServer#DEFAULT_HOST}), {@code backend} ({@code memory}; see {@link LoadBackend}),
 * {@code channel} ({@code /load}), {@code longPollingIntervalMs} (25000), {@code maxThreads} (the
 * server's default), {@code fanOutThreads} (the endpoint's default), {@code adapter} ({@code AUTO}:
 * the Jetty core handler, the control routes a core handler too; {@code SERVLET}: the filter, the
 * control routes a servlet), {@code closeHeldPollConnections} (false; true: held long-poll replies
 * say {@code Connection: close}, as Ruby's), {@code clkTck} (100, see {@link ProcStats}), {@code
 * resetStore} (true; false: leave the store as it is, for the second and later servers of a
 * scale-out run on one store), {@code inputBufferSize} and {@code bufferPoolMaxMemory}, {@code
 * bufferPoolMaxBucketSize} (the {@link MessageBusServer} defaults), {@code allowBroadcast} (false;
 * true serves {@code message-bus/broadcast} for {@link BroadcastClient}), {@code webSocket} (false;
 * true serves the WebSocket endpoint, for the load client's {@code websocket} mode; Server-Sent
 * Events are served always, the transport's default), {@code sseMaxDurationMs} (300,000: a stream
 * is ended after at most this, at least four fifths of it, and the client resumes with {@code
 * Last-Event-ID}) and {@code sseRetryMs} (1,000: the {@code retry:} the streams open with), {@code
 * userLookup} (false; true: a user id lookup, see {@link #lookups}) and {@code nonBlockingLookups}
 * (false). The server prints {@code LISTENING <port>} once it accepts connections.
 *
 * <p>Storm runs: {@code longPollingMinHoldMs} (15000, the endpoint's default; the interval holds
 * every poll exactly the interval).
 */
public final class LoadServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The load server's settings.
   *
   * @param host address to listen on
   * @param port port, 0 for any free one
   * @param backend backend specification, see {@link LoadBackend}
   * @param channel the load channel
   * @param longPollingInterval how long a poll is held
   * @param maxThreads Jetty's threads; 0: the server's default
   * @param fanOutThreads the endpoint's fan-out lanes
   * @param adapter the server's adapter
   * @param webSocket whether to serve the WebSocket endpoint ({@code message-bus/<clientId>/ws},
   *     {@link WebSocketOptions#defaults()}: same-origin upgrades, 30 s pings)
   */
  record Options(
      String host,
      int port,
      String backend,
      String channel,
      Duration longPollingInterval,
      int maxThreads,
      int fanOutThreads,
      MessageBusServer.Adapter adapter,
      boolean webSocket) {

    /**
     * A memory-backend server on a free loopback port, as the generator's own tests run it.
     *
     * @param webSocket whether to serve the WebSocket endpoint
     * @return the settings
     */
    static Options forTests(boolean webSocket) {
      return new Options(
          "127.0.0.1",
          0,
          "memory",
          "/load",
          Duration.ofSeconds(25),
          50,
          2,
          MessageBusServer.Adapter.AUTO,
          webSocket);
    }

    /**
     * Reads the settings from system properties, with the defaults of the class comment.
     *
     * @return the settings
     */
    static Options fromSystemProperties() {
      return new Options(
          System.getProperty("host", MessageBusServer.DEFAULT_HOST),
          Integer.getInteger("port", 0),
          System.getProperty("backend", "memory"),
          System.getProperty("channel", "/load"),
          Duration.ofMillis(Long.getLong("longPollingIntervalMs", 25_000)),
          Integer.getInteger("maxThreads", 0),
          Integer.getInteger("fanOutThreads", HttpTransportOptions.DEFAULT_FAN_OUT_THREADS),
          MessageBusServer.Adapter.valueOf(System.getProperty("adapter", "AUTO")),
          Boolean.getBoolean("webSocket"));
    }
  }

  private final LoadBackend backend;
  private final MessageBus bus;
  private final MessageBusServer server;
  private final String channel;
  private final ScheduledExecutorService publisher =
      DaemonThreads.singleThreadScheduler("load-publisher");

  private final AtomicLong published = new AtomicLong();
  private final AtomicLong publishFailures = new AtomicLong();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  // Null until the first publish request.
  private @Nullable ScheduledFuture<?> publishing;

  private LoadServer(Options o) {
    this.channel = o.channel();
    this.backend =
        LoadBackend.create(o.backend(), !"false".equals(System.getProperty("resetStore")));
    this.bus =
        MessageBus.builder().backend(backend.backend()).keepaliveInterval(Duration.ZERO).build();
    MessageBusServer.Builder builder =
        MessageBusServer.builder(bus)
            .adapter(o.adapter())
            .host(o.host())
            .port(o.port())
            .acceptQueueSize(4096)
            .acceptors(Integer.getInteger("acceptors", -1))
            .inputBufferSize(
                Integer.getInteger("inputBufferSize", MessageBusServer.DEFAULT_INPUT_BUFFER_SIZE))
            .bufferPoolMaxMemory(
                Long.getLong(
                    "bufferPoolMaxMemory", MessageBusServer.DEFAULT_BUFFER_POOL_MAX_MEMORY))
            .bufferPoolMaxBucketSize(
                Integer.getInteger(
                    "bufferPoolMaxBucketSize",
                    MessageBusServer.DEFAULT_BUFFER_POOL_MAX_BUCKET_SIZE))
            .httpOptions(
                lookups(HttpTransportOptions.builder())
                    .longPollingInterval(o.longPollingInterval())
                    // -DlongPollingMinHoldMs=25000: every poll held exactly the interval (no
                    // spread)
                    .longPollingMinHold(
                        Duration.ofMillis(
                            Long.getLong(
                                "longPollingMinHoldMs",
                                HttpTransportOptions.DEFAULT_LONG_POLLING_MIN_HOLD.toMillis())))
                    .maxActiveClients(Integer.MAX_VALUE)
                    // every load client polls from one address
                    .maxHeldPollsPerAddress(Integer.MAX_VALUE)
                    .fanOutThreads(o.fanOutThreads())
                    .closeHeldPollConnections(Boolean.getBoolean("closeHeldPollConnections"))
                    // -DallowBroadcast=true: serve message-bus/broadcast, for BroadcastClient
                    .allowBroadcast(Boolean.getBoolean("allowBroadcast"))
                    // -DrecentWindowMessages=0: every poll reads the store (the behaviour before)
                    .recentWindowMessages(Integer.getInteger("recentWindowMessages", 64))
                    // -DsseMaxDurationMs / -DsseRetryMs: streams end sooner (resumption under load)
                    .sseMaxDuration(Duration.ofMillis(Long.getLong("sseMaxDurationMs", 300_000)))
                    .sseRetry(Duration.ofMillis(Long.getLong("sseRetryMs", 1_000)))
                    .build());
    if (o.maxThreads() > 0) {
      builder.maxThreads(o.maxThreads());
    }
    if (o.webSocket()) {
      builder.webSocket(WebSocketOptions.defaults());
    }
    // The control routes: a servlet with the Servlet adapter, a core handler otherwise, so that
    // AUTO measures the leaner adapter.
    if (o.adapter() == MessageBusServer.Adapter.SERVLET) {
      builder.servlet("/control/*", new Control());
    } else {
      builder.handler(new CoreControl());
    }
    this.server = builder.build();
  }

  /**
   * {@code -DuserLookup=true}: a user id lookup (the {@code X-User} header, which the load client
   * does not send: every poll is anonymous), as most deployments have one; the Jetty core handler
   * is then a blocking one, run on a worker thread, unless {@code -DnonBlockingLookups=true} says
   * the lookup never blocks.
   */
  private static HttpTransportOptions.Builder lookups(HttpTransportOptions.Builder b) {
    if (Boolean.getBoolean("userLookup")) {
      b.userIdFromRequest(r -> r.header("X-User"))
          .nonBlockingLookups(Boolean.getBoolean("nonBlockingLookups"));
    }
    return b;
  }

  /**
   * Builds and starts a load server.
   *
   * @param options the settings
   * @return the running server
   * @throws Exception if it cannot start
   */
  static LoadServer start(Options options) throws Exception {
    LoadServer s = new LoadServer(options);
    s.server.start();
    return s;
  }

  /**
   * The port the server listens on.
   *
   * @return the port
   */
  int port() {
    return server.port();
  }

  /**
   * Starts the server and blocks until {@code POST /control/stop}.
   *
   * @param args unused; see the class comment for the system properties
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    try (LoadServer s = start(Options.fromSystemProperties())) {
      System.out.println("LISTENING " + s.port() + " backend " + s.backend.name());
      System.out.flush();
      s.stopRequested.await();
    }
  }

  @Override
  public void close() {
    publisher.shutdownNow();
    server.close();
    bus.close();
  }

  static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  private Map<String, @Nullable Object> stats(boolean gc) throws IOException {
    if (gc) {
      System.gc();
      System.gc();
    }
    Map<String, @Nullable Object> s = new LinkedHashMap<>();
    s.put("server", "java");
    s.put("backend", backend.name());
    s.put("redisUri", backend.redisUri());
    s.put("held", server.filter().heldPolls());
    s.put("heapUsed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    s.put("rss", ProcStats.rssBytes("self"));
    s.put("cpuNanos", ProcStats.cpuNanos("self"));
    s.put("fds", ProcStats.openFileDescriptors("self"));
    s.put("published", published.get());
    s.put("publishFailures", publishFailures.get());
    s.put("lastId", bus.lastId(channel));
    s.put("processes", 1);
    s.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
    s.put("allocatedBytes", allocatedBytes());
    s.put("eventStreams", server.filter().engine().eventStreams());
    WebSocketEndpoint ws = server.webSockets();
    s.put("webSockets", ws == null ? 0 : ws.connections());
    s.put("jitMillis", jitMillis());
    return s;
  }

  /**
   * Time the JIT compilers have spent compiling so far (the {@code CompilationMXBean}'s total, in
   * milliseconds), or null when the JVM does not tell.
   */
  private static @Nullable Long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : null;
  }

  /**
   * Heap bytes the live threads have allocated so far (threads that ended are not counted: read two
   * values a short window apart, as the load client does).
   */
  private static long allocatedBytes() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t)) {
      return 0;
    }
    long sum = 0;
    for (long bytes : t.getThreadAllocatedBytes(t.getAllThreadIds())) {
      sum += Math.max(0, bytes);
    }
    return sum;
  }

  /** The heap, native memory, resident mappings and class histogram, as jcmd prints them. */
  private static String diagnostics() {
    StringBuilder out = new StringBuilder();
    out.append("threads: ")
        .append(ManagementFactory.getThreadMXBean().getThreadCount())
        .append('\n');
    out.append(diagnosticCommand("gcHeapInfo")).append('\n');
    out.append(diagnosticCommand("vmNativeMemory", "summary")).append('\n');
    out.append(residentMappings(25)).append('\n');
    String histogram = diagnosticCommand("gcClassHistogram");
    String[] lines = histogram.split("\n", -1);
    int keep = Math.min(lines.length, 125);
    out.append(String.join("\n", java.util.Arrays.copyOfRange(lines, 0, keep))).append('\n');
    if (lines.length > keep) {
      out.append(lines[lines.length - 2]).append('\n'); // the Total line
    }
    return out.toString();
  }

  /**
   * The process's largest resident mappings from {@code /proc/self/smaps} (Linux): what the RSS is
   * made of, which native memory tracking does not see (libraries, the untracked part of malloc).
   */
  private static String residentMappings(int top) {
    java.nio.file.Path smaps = java.nio.file.Path.of("/proc/self/smaps");
    if (!java.nio.file.Files.isReadable(smaps)) {
      return "resident mappings: /proc/self/smaps not readable";
    }
    record Mapping(String name, long rssKiB) {}
    List<Mapping> mappings = new ArrayList<>();
    long total = 0;
    try {
      String name = "";
      for (String line : java.nio.file.Files.readAllLines(smaps)) {
        if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
          String[] fields = line.trim().split("\\s+", 6);
          name = fields[0] + (fields.length > 5 ? " " + fields[5] : "") + " " + fields[1];
        } else if (line.startsWith("Rss:")) {
          long kib = Long.parseLong(line.substring(4).replace("kB", "").trim());
          total += kib;
          mappings.add(new Mapping(name, kib));
        }
      }
    } catch (IOException | RuntimeException e) {
      return "resident mappings failed: " + e;
    }
    mappings.sort((a, b) -> Long.compare(b.rssKiB(), a.rssKiB()));
    StringBuilder out = new StringBuilder("resident mappings (KiB), total " + total + ":\n");
    for (Mapping m : mappings.subList(0, Math.min(top, mappings.size()))) {
      out.append(String.format("%10d  %s%n", m.rssKiB(), m.name()));
    }
    return out.toString();
  }

  private static String diagnosticCommand(String operation, String... arguments) {
    try {
      Object result =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                  operation,
                  new Object[] {arguments},
                  new String[] {String[].class.getName()});
      return String.valueOf(result);
    } catch (javax.management.JMException e) {
      return operation + " failed: " + e;
    }
  }

  private synchronized void startPublishing(double rate, long count, boolean warmup, int channels) {
    if (publishing != null) {
      publishing.cancel(false);
    }
    long periodNanos = (long) (1_000_000_000L / rate);
    AtomicLong index = new AtomicLong();
    publishing =
        publisher.scheduleAtFixedRate(
            () -> {
              long n = index.getAndIncrement();
              if (n >= count) {
                throw new IllegalStateException("done"); // ends the schedule
              }
              try {
                String to = channels == 1 ? channel : channel + "/" + (n % channels);
                bus.publish(to, Map.of("n", warmup ? -1 : n, "t", epochMicros()));
                published.incrementAndGet();
              } catch (RuntimeException e) {
                publishFailures.incrementAndGet();
              }
            },
            0,
            periodNanos,
            TimeUnit.NANOSECONDS);
  }

  /** A control request refused: its status and reason. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String reason) {
      super(reason, null, false, false);
      this.status = status;
    }
  }

  /** Answers a control route ({@code path} after {@code /control}) as JSON bytes. */
  private byte[] control(
      String path, java.util.function.Function<String, @Nullable String> parameter)
      throws IOException, Refused {
    Object body;
    switch (path) {
      case "/stats" -> body = stats("true".equals(parameter.apply("gc")));
      case "/publish" -> {
        String rateText = parameter.apply("rate");
        String countText = parameter.apply("count");
        if (rateText == null || countText == null) {
          throw new Refused(400, "rate and count are required");
        }
        double rate;
        long count;
        try {
          rate = Double.parseDouble(rateText);
          count = Long.parseLong(countText);
        } catch (NumberFormatException e) {
          throw new Refused(400, "rate and count must be numbers");
        }
        if (!(rate > 0) || count < 1) {
          throw new Refused(400, "rate must be positive and count at least 1");
        }
        String channelsText = parameter.apply("channels");
        int channels;
        try {
          channels = channelsText == null ? 1 : Integer.parseInt(channelsText);
        } catch (NumberFormatException e) {
          throw new Refused(400, "channels must be a whole number");
        }
        if (channels < 1) {
          throw new Refused(400, "channels must be at least 1");
        }
        startPublishing(rate, count, "true".equals(parameter.apply("warmup")), channels);
        body = Map.of("publishing", count, "rate", rate);
      }
      case "/diagnostics" -> body = Map.of("text", diagnostics());
      case "/stop" -> {
        stopRequested.countDown();
        body = Map.of("stopping", true);
      }
      default -> throw new Refused(404, "not found");
    }
    return JSON.writeValueAsBytes(body);
  }

  private final class Control extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String path = req.getPathInfo() == null ? "" : req.getPathInfo();
      byte[] bytes;
      try {
        bytes = control(path, req::getParameter);
      } catch (Refused r) {
        resp.sendError(r.status, r.getMessage());
        return;
      }
      resp.setContentType("application/json");
      resp.setContentLength(bytes.length);
      resp.getOutputStream().write(bytes);
    }
  }

  /**
   * The control routes as a Jetty core handler (for the JETTY_CORE adapter); non-blocking (no route
   * waits for I/O), so the server keeps its default thread pool for polls on the I/O thread.
   */
  private final class CoreControl extends org.eclipse.jetty.server.Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(
        org.eclipse.jetty.server.Request request,
        org.eclipse.jetty.server.Response response,
        org.eclipse.jetty.util.Callback callback)
        throws Exception {
      String path = org.eclipse.jetty.server.Request.getPathInContext(request);
      if (!path.startsWith("/control/")) {
        return false;
      }
      org.eclipse.jetty.util.Fields query =
          org.eclipse.jetty.server.Request.extractQueryParameters(request);
      byte[] bytes;
      try {
        bytes = control(path.substring("/control".length()), query::getValue);
      } catch (Refused r) {
        org.eclipse.jetty.server.Response.writeError(
            request, response, callback, r.status, r.getMessage());
        return true;
      }
      response.getHeaders().put("Content-Type", "application/json");
      response.getHeaders().put("Content-Length", Integer.toString(bytes.length));
      response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
      return true;
    }
  }
}
