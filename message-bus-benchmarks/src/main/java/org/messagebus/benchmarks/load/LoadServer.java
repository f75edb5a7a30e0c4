package org.messagebus.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.messagebus.MessageBus;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * The server side of the HTTP load test: a memory bus served by {@link MessageBusServer}, plus a
 * control servlet under {@code /control/} that the load client uses to read the server's state and
 * to start publishing.
 *
 * <ul>
 *   <li>{@code GET /control/stats[?gc=true]}: held polls, heap used (after two full GCs when
 *       asked), resident set size, open file descriptors, process CPU time, messages published, and
 *       the channel's last id, as JSON.
 *   <li>{@code POST /control/publish?rate=R&count=C[&warmup=true]}: publishes C messages on the
 *       load channel at R per second, each {@code {"n": index, "t": epoch microseconds at publish}}
 *       ({@code "n": -1} for warm-up messages, which the client does not count).
 * </ul>
 *
 * <p>System properties: {@code port} (default 0: any free port), {@code host} (127.0.0.1), {@code
 * channel} ({@code /load}), {@code longPollingIntervalMs} (25000), {@code maxThreads} (200), {@code
 * fanOutThreads} (the endpoint's default). The server prints {@code LISTENING <port>} once it
 * accepts connections, and stops on {@code POST /control/stop}.
 */
public final class LoadServer {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MessageBus bus;
  private final MessageBusServer server;
  private final String channel;
  private final ScheduledExecutorService publisher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "load-publisher");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong publishFailures = new AtomicLong();
  private volatile ScheduledFuture<?> publishing;
  private final Object stopped = new Object();
  private volatile boolean stop;

  private LoadServer(
      String host, int port, String channel, Duration interval, int maxThreads, int fanOut) {
    this.channel = channel;
    this.bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    this.server =
        MessageBusServer.builder(bus)
            .host(host)
            .port(port)
            .maxThreads(maxThreads)
            .acceptQueueSize(4096)
            .httpOptions(
                HttpTransportOptions.builder()
                    .longPollingInterval(interval)
                    .maxActiveClients(Integer.MAX_VALUE)
                    // every load client polls from one address
                    .maxHeldPollsPerAddress(Integer.MAX_VALUE)
                    .fanOutThreads(fanOut)
                    .build())
            .servlet("/control/*", new Control())
            .build();
  }

  /**
   * Starts the server and blocks until {@code POST /control/stop}.
   *
   * @param args unused; see the class comment for the system properties
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    LoadServer s =
        new LoadServer(
            System.getProperty("host", "127.0.0.1"),
            Integer.getInteger("port", 0),
            System.getProperty("channel", "/load"),
            Duration.ofMillis(Long.getLong("longPollingIntervalMs", 25_000)),
            Integer.getInteger("maxThreads", MessageBusServer.DEFAULT_MAX_THREADS),
            Integer.getInteger("fanOutThreads", HttpTransportOptions.DEFAULT_FAN_OUT_THREADS));
    s.server.start();
    System.out.println("LISTENING " + s.server.port());
    System.out.flush();
    synchronized (s.stopped) {
      while (!s.stop) {
        s.stopped.wait();
      }
    }
    s.publisher.shutdownNow();
    s.server.close();
    s.bus.close();
  }

  static long epochMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  private Map<String, Object> stats(boolean gc) throws IOException {
    if (gc) {
      System.gc();
      System.gc();
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("held", server.filter().heldPolls());
    s.put("heapUsed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    s.put("rss", rssBytes());
    s.put("fds", openFileDescriptors());
    s.put("threads", Thread.activeCount());
    s.put("cpuNanos", processCpuNanos());
    s.put("published", published.get());
    s.put("publishFailures", publishFailures.get());
    s.put("lastId", bus.lastId(channel));
    return s;
  }

  private static long rssBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }

  private static long openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private synchronized void startPublishing(double rate, long count, boolean warmup) {
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
                bus.publish(channel, Map.of("n", warmup ? -1 : n, "t", epochMicros()));
                published.incrementAndGet();
              } catch (RuntimeException e) {
                publishFailures.incrementAndGet();
              }
            },
            0,
            periodNanos,
            TimeUnit.NANOSECONDS);
  }

  private final class Control extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String path = req.getPathInfo() == null ? "" : req.getPathInfo();
      Object body;
      switch (path) {
        case "/stats" -> body = stats("true".equals(req.getParameter("gc")));
        case "/publish" -> {
          double rate = Double.parseDouble(req.getParameter("rate"));
          long count = Long.parseLong(req.getParameter("count"));
          if (rate <= 0 || count < 1) {
            resp.sendError(400, "rate must be positive and count at least 1");
            return;
          }
          startPublishing(rate, count, "true".equals(req.getParameter("warmup")));
          body = Map.of("publishing", count, "rate", rate);
        }
        case "/stop" -> {
          synchronized (stopped) {
            stop = true;
            stopped.notifyAll();
          }
          body = Map.of("stopping", true);
        }
        default -> {
          resp.sendError(404);
          return;
        }
      }
      byte[] bytes = JSON.writeValueAsBytes(body);
      resp.setContentType("application/json");
      resp.setContentLength(bytes.length);
      resp.getOutputStream().write(bytes);
    }
  }
}
