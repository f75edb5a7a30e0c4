package org.messagebus.benchmarks.load;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of the HTTP load test: holds N streaming long polls on one channel of a {@link
 * LoadServer}, each with its own client id and its own TCP connection (java.nio, a few selector
 * threads, no HTTP library), asks the server to publish at a fixed rate, and reports connections
 * held, delivered/expected, duplicates, publish→receipt latency, errors, and the server's heap and
 * RSS per held connection.
 *
 * <p>A poll is a form POST {@code /message-bus/<id>/poll} with {@code /load=<position>}; the server
 * answers with a chunked stream of JSON arrays separated by {@code \r\n|\r\n} and ends it after the
 * long-polling interval, when the client polls again on the same connection from the last id it
 * saw, so nothing is lost between polls. Latency is the receipt time (wall clock, read when the
 * socket is readable) minus the publish time carried in the message; both JVMs share the clock.
 *
 * <p>Arguments, as {@code key=value}: {@code port} (required), {@code host} (127.0.0.1), {@code n}
 * (1000 connections), {@code rate} (2 messages per second), {@code count} (60 messages), {@code
 * channel} ({@code /load}), {@code threads} (1 selector thread), {@code sources} (1: how many
 * loopback source addresses 127.0.0.x to spread the connections over, for more source ports),
 * {@code rampSeconds} (120: how long to wait for every poll to be held), {@code warmup} (20:
 * messages published, at the same rate and not counted, before measuring, so that the server's JIT
 * has compiled the fan-out path), {@code drainSeconds} (30: how long to wait for late deliveries
 * after the last publish), {@code out} (a file to append the result to as one JSON line).
 */
public final class LoadClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] MESSAGE_ID = ascii("\"message_id\":");
  private static final byte[] FIELD_N = ascii("\"n\":");
  private static final byte[] FIELD_T = ascii("\"t\":");
  private static final byte[] STATUS = ascii("\"/__status\"");
  private static final byte[] SEPARATOR = "\r\n|\r\n".getBytes(StandardCharsets.US_ASCII);

  private final String host;
  private final int port;
  private final int n;
  private final double rate;
  private final int count;
  private final String channel;
  private final int threads;
  private final int sources;
  private final HttpClient control =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private LoadClient(Map<String, String> a) {
    this.host = a.getOrDefault("host", "127.0.0.1");
    this.port = Integer.parseInt(required(a, "port"));
    this.n = Integer.parseInt(a.getOrDefault("n", "1000"));
    this.rate = Double.parseDouble(a.getOrDefault("rate", "2"));
    this.count = Integer.parseInt(a.getOrDefault("count", "60"));
    this.channel = a.getOrDefault("channel", "/load");
    this.threads = Integer.parseInt(a.getOrDefault("threads", "1"));
    this.sources = Integer.parseInt(a.getOrDefault("sources", "1"));
    if (n < 1 || rate <= 0 || count < 1 || threads < 1 || sources < 1 || sources > 250) {
      throw new IllegalArgumentException(
          "need n >= 1, rate > 0, count >= 1, threads >= 1, 1 <= sources <= 250");
    }
  }

  private static String required(Map<String, String> a, String key) {
    String v = a.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing argument " + key + "=...");
    }
    return v;
  }

  /**
   * Runs one load test and prints the report.
   *
   * @param args {@code key=value} pairs, see the class comment
   * @throws Exception if the server cannot be reached
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("arguments are key=value: " + arg);
      }
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    Map<String, Object> result = new LoadClient(a).run(a);
    String out = a.get("out");
    if (out != null) {
      Files.writeString(
          Path.of(out),
          JSON.writeValueAsString(result) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  private Map<String, Object> stats(boolean gc) throws IOException, InterruptedException {
    HttpResponse<String> r =
        control.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + host + ":" + port + "/control/stats?gc=" + gc))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readValue(r.body(), new TypeReference<Map<String, Object>>() {});
  }

  private void publish(int messages, boolean warmup) throws IOException, InterruptedException {
    HttpResponse<String> pub =
        control.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://"
                            + host
                            + ":"
                            + port
                            + "/control/publish?rate="
                            + rate
                            + "&count="
                            + messages
                            + "&warmup="
                            + warmup))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (pub.statusCode() != 200) {
      throw new IllegalStateException("publish refused: " + pub.body());
    }
  }

  private static long num(Map<String, Object> m, String key) {
    return ((Number) m.get(key)).longValue();
  }

  private Map<String, Object> run(Map<String, String> args) throws Exception {
    Map<String, Object> base = stats(true);
    long start = num(base, "lastId");
    InetSocketAddress server = new InetSocketAddress(host, port);
    List<Worker> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(new Worker(t, server, start));
    }
    for (int i = 0; i < n; i++) {
      workers.get(i % threads).assign(i);
    }
    long rampStart = System.nanoTime();
    workers.forEach(Worker::start);
    long rampDeadline =
        rampStart
            + Duration.ofSeconds(Long.parseLong(args.getOrDefault("rampSeconds", "120"))).toNanos();
    long serverHeld = 0;
    while (System.nanoTime() < rampDeadline) {
      long held = workers.stream().mapToLong(w -> w.held.get()).sum();
      if (held >= n) {
        serverHeld = num(stats(false), "held");
        if (serverHeld >= n) {
          break;
        }
      }
      Thread.sleep(500);
      progress("ramp: held " + held + " of " + n, workers);
    }
    double rampSeconds = (System.nanoTime() - rampStart) / 1e9;
    long clientHeld = workers.stream().mapToLong(w -> w.held.get()).sum();
    Map<String, Object> loaded = stats(true);
    serverHeld = num(loaded, "held");
    System.out.printf(
        Locale.ROOT,
        "ramp: %d of %d polls held (server says %d) after %.1f s%n",
        clientHeld,
        n,
        serverHeld,
        rampSeconds);

    long expected = (long) n * count;
    int warmup = Integer.parseInt(args.getOrDefault("warmup", "20"));
    if (warmup > 0) {
      // Let the server's JIT compile the fan-out path before measuring (a long-running server is
      // warm); these messages carry n = -1 and are not counted.
      publish(warmup, true);
      Thread.sleep((long) (warmup / rate * 1000) + 3000);
      System.out.println("warm-up: " + warmup + " messages published and not counted");
    }
    publish(count, false);
    long publishStart = System.nanoTime();
    long clientCpuStart = ownCpuNanos();
    long publishEnd = publishStart + (long) ((count - 1) / rate * 1e9);
    long drainDeadline =
        publishEnd
            + Duration.ofSeconds(Long.parseLong(args.getOrDefault("drainSeconds", "30"))).toNanos();
    while (System.nanoTime() < drainDeadline) {
      long delivered = workers.stream().mapToLong(w -> w.delivered.get()).sum();
      if (delivered >= expected) {
        break;
      }
      Thread.sleep(250);
      if ((System.nanoTime() - publishStart) / 250_000_000L % 8 == 0) {
        progress("publish: delivered " + delivered + " of " + expected, workers);
      }
    }
    double runSeconds = (System.nanoTime() - publishStart) / 1e9;
    Map<String, Object> after = stats(false);
    double clientCpu = (ownCpuNanos() - clientCpuStart) / 1e9;
    for (Worker w : workers) {
      w.stop = true;
      w.selector.wakeup();
    }
    for (Worker w : workers) {
      w.join();
    }

    long delivered = 0;
    long duplicates = 0;
    long repolls = 0;
    long reconnects = 0;
    int lat = 0;
    for (Worker w : workers) {
      delivered += w.delivered.get();
      duplicates += w.duplicates;
      repolls += w.repolls;
      reconnects += w.reconnects;
      lat += w.latencyCount;
    }
    long[] latencies = new long[lat];
    int off = 0;
    Map<String, Long> errors = new TreeMap<>();
    for (Worker w : workers) {
      System.arraycopy(w.latencies, 0, latencies, off, w.latencyCount);
      off += w.latencyCount;
      w.errors.forEach((k, v) -> errors.merge(k, v.get(), Long::sum));
    }
    Arrays.sort(latencies);
    int bl = 0;
    for (Worker w : workers) {
      bl += w.backlogCount;
    }
    long[] backlog = new long[bl];
    off = 0;
    for (Worker w : workers) {
      System.arraycopy(w.backlogLatencies, 0, backlog, off, w.backlogCount);
      off += w.backlogCount;
    }
    Arrays.sort(backlog);

    long heapPerPoll = (num(loaded, "heapUsed") - num(base, "heapUsed")) / Math.max(1, serverHeld);
    long rssPerPoll = (num(loaded, "rss") - num(base, "rss")) / Math.max(1, serverHeld);
    double cpu = (num(after, "cpuNanos") - num(loaded, "cpuNanos")) / 1e9;

    Map<String, Object> r = new LinkedHashMap<>();
    r.put("n", n);
    r.put("rate", rate);
    r.put("count", count);
    r.put("threads", threads);
    r.put("sources", sources);
    r.put("rampSeconds", Math.round(rampSeconds * 10) / 10.0);
    r.put("heldClient", clientHeld);
    r.put("heldServer", serverHeld);
    r.put("expected", expected);
    r.put("delivered", delivered);
    r.put("deliveredPercent", Math.round(delivered * 10000.0 / expected) / 100.0);
    r.put("duplicates", duplicates);
    r.put("latencyP50Ms", percentile(latencies, 0.50));
    r.put("latencyP99Ms", percentile(latencies, 0.99));
    r.put("latencyMaxMs", latencies.length == 0 ? -1 : latencies[latencies.length - 1] / 1000.0);
    r.put("viaBacklog", backlog.length);
    r.put("viaBacklogP50Ms", percentile(backlog, 0.50));
    r.put("viaBacklogP99Ms", percentile(backlog, 0.99));
    r.put("repolls", repolls);
    r.put("reconnects", reconnects);
    r.put("errors", errors);
    r.put("published", num(after, "published"));
    r.put("serverHeapBaseline", num(base, "heapUsed"));
    r.put("serverHeapHeld", num(loaded, "heapUsed"));
    r.put("heapPerPollBytes", heapPerPoll);
    r.put("serverRssBaseline", num(base, "rss"));
    r.put("serverRssHeld", num(loaded, "rss"));
    r.put("rssPerPollBytes", rssPerPoll);
    r.put("serverFds", num(loaded, "fds"));
    r.put("serverCpuSecondsDuringPublish", Math.round(cpu * 100) / 100.0);
    r.put("clientCpuSecondsDuringPublish", Math.round(clientCpu * 100) / 100.0);
    r.put("publishPhaseSeconds", Math.round(runSeconds * 10) / 10.0);

    System.out.println();
    System.out.printf(
        Locale.ROOT, "connections held   %d (server %d) of %d%n", clientHeld, serverHeld, n);
    System.out.printf(
        Locale.ROOT,
        "delivered          %d / %d (%.2f%%)%n",
        delivered,
        expected,
        delivered * 100.0 / expected);
    System.out.printf(Locale.ROOT, "duplicates         %d%n", duplicates);
    System.out.printf(
        Locale.ROOT,
        "via a poll backlog %d deliveries (p50 %.1f ms, p99 %.1f ms): published between two polls%n",
        backlog.length,
        r.get("viaBacklogP50Ms"),
        r.get("viaBacklogP99Ms"));
    System.out.printf(
        Locale.ROOT,
        "latency ms         p50 %.1f  p99 %.1f  max %.1f%n",
        r.get("latencyP50Ms"),
        r.get("latencyP99Ms"),
        r.get("latencyMaxMs"));
    System.out.printf(
        Locale.ROOT,
        "errors             %s (re-polls %d, reconnects %d)%n",
        errors,
        repolls,
        reconnects);
    System.out.printf(
        Locale.ROOT,
        "server heap        %.1f MiB -> %.1f MiB after GC: %.2f KiB per held poll%n",
        num(base, "heapUsed") / 1048576.0,
        num(loaded, "heapUsed") / 1048576.0,
        heapPerPoll / 1024.0);
    System.out.printf(
        Locale.ROOT,
        "server RSS         %.1f MiB -> %.1f MiB: %.2f KiB per held poll%n",
        num(base, "rss") / 1048576.0,
        num(loaded, "rss") / 1048576.0,
        rssPerPoll / 1024.0);
    System.out.printf(
        Locale.ROOT,
        "CPU                server %.2f s, client %.2f s over %.1f s of publishing (server fds %d)%n",
        cpu,
        clientCpu,
        runSeconds,
        num(loaded, "fds"));
    System.out.println("RESULT " + JSON.writeValueAsString(r));
    return r;
  }

  private static long ownCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1000.0;
  }

  private static void progress(String what, List<Worker> workers) {
    Map<String, Long> errors = new TreeMap<>();
    for (Worker w : workers) {
      w.errors.forEach((k, v) -> errors.merge(k, v.get(), Long::sum));
    }
    System.out.println(what + (errors.isEmpty() ? "" : " errors " + errors));
  }

  static long epochMicros() {
    return LoadServer.epochMicros();
  }

  /** One poll's connection and its response parser. */
  private static final class Conn {
    static final int HEAD = 0;
    static final int SIZE = 1;
    static final int DATA = 2;
    static final int DATA_CR = 3;
    static final int DATA_LF = 4;
    static final int TRAILER = 5;
    static final int BODY = 6;

    final int index;
    final String clientId;
    SocketChannel channel;
    SelectionKey key;
    ByteBuffer out;
    int seq;
    long position;
    BitSet got;
    int state = HEAD;
    byte[] line = new byte[256];
    int lineLen;
    byte[] piece = new byte[512];
    int pieceLen;
    int remaining;
    int status;
    boolean closeExpected;
    boolean inResponse;
    boolean held;
    boolean backlogPiece;

    Conn(int index, long position) {
      this.index = index;
      this.clientId = "load" + index;
      this.position = position;
    }
  }

  /** A selector thread owning a share of the connections. */
  private final class Worker extends Thread {
    final Selector selector;
    final InetSocketAddress server;
    final long startPosition;
    final ArrayDeque<Conn> toOpen = new ArrayDeque<>();
    final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    final AtomicLong held = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    volatile boolean stop;
    long duplicates;
    long repolls;
    long reconnects;
    long[] latencies = new long[1 << 16];
    int latencyCount;
    long[] backlogLatencies = new long[1 << 10];
    int backlogCount;
    int connecting;

    Worker(int index, InetSocketAddress server, long startPosition) throws IOException {
      super("load-client-" + index);
      this.selector = Selector.open();
      this.server = server;
      this.startPosition = startPosition;
    }

    void assign(int index) {
      toOpen.add(new Conn(index, startPosition));
    }

    private void error(String kind) {
      errors.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public void run() {
      try {
        while (!stop) {
          while (connecting < 200 && !toOpen.isEmpty()) {
            open(toOpen.poll());
          }
          selector.select(20);
          long now = epochMicros();
          for (SelectionKey k : selector.selectedKeys()) {
            Conn c = (Conn) k.attachment();
            try {
              if (!k.isValid()) {
                continue;
              }
              if (k.isConnectable()) {
                connected(c);
              } else {
                if (k.isWritable()) {
                  flush(c);
                }
                if (k.isValid() && k.isReadable()) {
                  read(c, now);
                }
              }
            } catch (IOException e) {
              lost(c, "io: " + e.getClass().getSimpleName() + " " + e.getMessage());
            }
          }
          selector.selectedKeys().clear();
        }
      } catch (IOException e) {
        error("selector: " + e);
      } finally {
        for (SelectionKey k : selector.keys()) {
          try {
            k.channel().close();
          } catch (IOException ignored) {
            // closing
          }
        }
      }
    }

    private void open(Conn c) {
      try {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (sources > 1) {
          ch.bind(new InetSocketAddress("127.0.0." + (1 + c.index % sources), 0));
        }
        c.channel = ch;
        c.state = Conn.HEAD;
        c.lineLen = 0;
        c.pieceLen = 0;
        c.inResponse = false;
        if (ch.connect(server)) {
          c.key = ch.register(selector, 0, c);
          poll(c);
        } else {
          c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
          connecting++;
        }
      } catch (IOException e) {
        error("connect: " + e.getMessage());
        toOpen.add(c);
      }
    }

    private void connected(Conn c) throws IOException {
      connecting--;
      try {
        c.channel.finishConnect();
      } catch (IOException e) {
        error("connect: " + e.getMessage());
        c.channel.close();
        toOpen.add(c);
        return;
      }
      poll(c);
    }

    private void poll(Conn c) throws IOException {
      c.seq++;
      String body = channel + "=" + c.position + "&__seq=" + c.seq;
      String req =
          "POST /message-bus/"
              + c.clientId
              + "/poll HTTP/1.1\r\nHost: "
              + host
              + ":"
              + port
              + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n"
              + body;
      c.out = ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII));
      c.key.interestOps(SelectionKey.OP_READ);
      flush(c);
    }

    private void flush(Conn c) throws IOException {
      c.channel.write(c.out);
      c.key.interestOps(
          c.out.hasRemaining()
              ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
              : SelectionKey.OP_READ);
    }

    private void lost(Conn c, String why) {
      if (stop) {
        return;
      }
      if (!(c.closeExpected && why.equals("eof"))) {
        error(why);
      }
      if (c.held) {
        c.held = false;
        held.decrementAndGet();
      }
      try {
        c.channel.close();
      } catch (IOException ignored) {
        // already gone
      }
      reconnects++;
      c.closeExpected = false;
      toOpen.add(c);
    }

    private void read(Conn c, long now) throws IOException {
      while (true) {
        in.clear();
        int r = c.channel.read(in);
        if (r < 0) {
          lost(c, "eof");
          return;
        }
        if (r == 0) {
          return;
        }
        in.flip();
        parse(c, now);
        if (!c.channel.isOpen()) {
          return;
        }
      }
    }

    private void parse(Conn c, long now) throws IOException {
      while (in.hasRemaining()) {
        switch (c.state) {
          case Conn.HEAD -> {
            byte b = in.get();
            append(c, b);
            int l = c.lineLen;
            if (l >= 4
                && c.line[l - 1] == '\n'
                && c.line[l - 2] == '\r'
                && c.line[l - 3] == '\n'
                && c.line[l - 4] == '\r') {
              headers(c);
            }
          }
          case Conn.SIZE -> {
            byte b = in.get();
            if (b == '\n') {
              String s = new String(c.line, 0, c.lineLen, StandardCharsets.US_ASCII).trim();
              int semi = s.indexOf(';');
              int size = Integer.parseInt(semi < 0 ? s : s.substring(0, semi), 16);
              c.lineLen = 0;
              if (size == 0) {
                c.state = Conn.TRAILER;
              } else {
                c.remaining = size;
                c.state = Conn.DATA;
              }
            } else {
              append(c, b);
            }
          }
          case Conn.DATA, Conn.BODY -> {
            int take = Math.min(c.remaining, in.remaining());
            ensurePiece(c, take);
            in.get(c.piece, c.pieceLen, take);
            c.pieceLen += take;
            c.remaining -= take;
            if (c.remaining == 0) {
              if (c.state == Conn.DATA) {
                c.state = Conn.DATA_CR;
                pieces(c, now);
              } else {
                piece(c, c.piece, 0, c.pieceLen, now);
                c.pieceLen = 0;
                responseDone(c);
              }
            }
          }
          case Conn.DATA_CR -> {
            in.get();
            c.state = Conn.DATA_LF;
          }
          case Conn.DATA_LF -> {
            in.get();
            c.state = Conn.SIZE;
          }
          case Conn.TRAILER -> {
            byte b = in.get();
            append(c, b);
            if (b == '\n') {
              boolean empty = c.lineLen <= 2;
              c.lineLen = 0;
              if (empty) {
                responseDone(c);
              }
            }
          }
          default -> throw new IllegalStateException("state " + c.state);
        }
        if (!c.channel.isOpen()) {
          return;
        }
      }
    }

    private void append(Conn c, byte b) {
      if (c.lineLen == c.line.length) {
        c.line = Arrays.copyOf(c.line, c.line.length * 2);
      }
      c.line[c.lineLen++] = b;
    }

    private void ensurePiece(Conn c, int more) {
      if (c.pieceLen + more > c.piece.length) {
        c.piece = Arrays.copyOf(c.piece, Math.max(c.piece.length * 2, c.pieceLen + more));
      }
    }

    private void headers(Conn c) {
      String head = new String(c.line, 0, c.lineLen, StandardCharsets.ISO_8859_1);
      c.lineLen = 0;
      c.inResponse = true;
      c.status = Integer.parseInt(head.substring(9, 12));
      String lower = head.toLowerCase(Locale.ROOT);
      c.closeExpected = lower.contains("\r\nconnection: close");
      if (lower.contains("\r\ntransfer-encoding: chunked")) {
        c.state = Conn.SIZE;
      } else {
        int at = lower.indexOf("\r\ncontent-length:");
        int len = 0;
        if (at >= 0) {
          int end = lower.indexOf("\r\n", at + 2);
          len = Integer.parseInt(lower.substring(at + 17, end).trim());
        }
        c.remaining = len;
        c.state = Conn.BODY;
        if (len == 0) {
          responseDone(c);
        }
      }
    }

    private void pieces(Conn c, long now) {
      int from = 0;
      while (true) {
        int at = indexOf(c.piece, from, c.pieceLen, SEPARATOR);
        if (at < 0) {
          break;
        }
        piece(c, c.piece, from, at - from, now);
        from = at + SEPARATOR.length;
      }
      if (from > 0) {
        System.arraycopy(c.piece, from, c.piece, 0, c.pieceLen - from);
        c.pieceLen -= from;
      }
    }

    private int indexOf(byte[] a, int from, int to, byte[] what) {
      outer:
      for (int i = from; i <= to - what.length; i++) {
        for (int j = 0; j < what.length; j++) {
          if (a[i + j] != what[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    private void piece(Conn c, byte[] buf, int off, int len, long now) {
      if (c.status != 200) {
        error("status " + c.status);
        return;
      }
      // The first piece of a response is the poll's backlog: what was published while the client
      // was between two polls.
      c.backlogPiece = !c.held;
      if (!c.held) {
        c.held = true;
        held.incrementAndGet();
      }
      // The pieces are the server's own compact JSON: scan for the fields instead of building a
      // tree, so the client spends its CPU on sockets, not parsing. Anything unexpected falls back
      // to Jackson.
      int end = off + len;
      int at = indexOf(buf, off, end, MESSAGE_ID);
      while (at >= 0) {
        int next = indexOf(buf, at + MESSAGE_ID.length, end, MESSAGE_ID);
        int limit = next < 0 ? end : next;
        long messageId = number(buf, at + MESSAGE_ID.length, limit);
        int ni = indexOf(buf, at, limit, FIELD_N);
        int ti = indexOf(buf, at, limit, FIELD_T);
        if (messageId >= 0 && ni >= 0 && ti >= 0) {
          record(
              c,
              messageId,
              (int) number(buf, ni + FIELD_N.length, limit),
              number(buf, ti + FIELD_T.length, limit),
              now);
        } else if (indexOf(buf, at, limit, STATUS) < 0) {
          fallback(c, buf, off, len, now);
          return;
        }
        at = next;
      }
    }

    private long number(byte[] buf, int from, int to) {
      long v = 0;
      int i = from;
      boolean any = false;
      while (i < to && buf[i] >= '0' && buf[i] <= '9') {
        v = v * 10 + (buf[i] - '0');
        i++;
        any = true;
      }
      return any ? v : -1;
    }

    private void fallback(Conn c, byte[] buf, int off, int len, long now) {
      JsonNode array;
      try {
        array = JSON.readTree(buf, off, len);
      } catch (IOException e) {
        error("bad json");
        return;
      }
      for (JsonNode m : array) {
        if ("/__status".equals(m.path("channel").asText())) {
          continue;
        }
        JsonNode data = m.path("data");
        record(
            c,
            m.path("message_id").asLong(),
            data.path("n").asInt(-1),
            data.path("t").asLong(),
            now);
      }
    }

    private void record(Conn c, long messageId, int idx, long t, long now) {
      c.position = Math.max(c.position, messageId);
      if (idx == -1) {
        return; // warm-up
      }
      if (idx < 0 || idx >= count) {
        error("unexpected message");
        return;
      }
      if (c.got == null) {
        c.got = new BitSet(count);
      }
      if (c.got.get(idx)) {
        duplicates++;
        return;
      }
      c.got.set(idx);
      if (latencyCount == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencies.length * 2);
      }
      latencies[latencyCount++] = now - t;
      if (c.backlogPiece) {
        if (backlogCount == backlogLatencies.length) {
          backlogLatencies = Arrays.copyOf(backlogLatencies, backlogLatencies.length * 2);
        }
        backlogLatencies[backlogCount++] = now - t;
      }
      delivered.incrementAndGet();
    }

    private void responseDone(Conn c) {
      c.inResponse = false;
      c.state = Conn.HEAD;
      c.pieceLen = 0;
      if (c.held) {
        c.held = false;
        held.decrementAndGet();
      }
      if (c.status != 200) {
        error("status " + c.status);
      }
      if (c.closeExpected) {
        return; // the server closes; lost() reconnects
      }
      repolls++;
      try {
        poll(c);
      } catch (IOException e) {
        lost(c, "io: " + e.getMessage());
      }
    }
  }
}
