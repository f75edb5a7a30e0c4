// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.http.HttpEngine;
import org.messagebus.http.WebSocketEndpoint;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.spi.OptionChecks;

/**
 * An embedded Jetty 12 server serving a bus: the quickest way to serve a bus over HTTP. Needs
 * {@code org.eclipse.jetty.ee10:jetty-ee10-servlet} on the class path (an optional dependency of
 * this module). The bus is served by one of the two adapters of the engine ({@link Adapter}): a
 * Jetty core handler when nothing needs a servlet container (the default, the leaner one), else the
 * {@link MessageBusFilter} in an ee10 servlet context; both send the same bytes.
 *
 * <pre>{@code
 * try (MessageBusServer server = MessageBusServer.builder(bus).port(9292).build().start()) {
 *   System.out.println("listening on " + server.port());
 *   server.join();
 * }
 * }</pre>
 *
 * <p>The connector's idle timeout is set above the long-polling interval, so held polls are never
 * cut by Jetty. Because each byte restarts an idle timeout, a request must also arrive within two
 * deadlines: its head within {@link Builder#requestHeadTimeout} of its first byte, its body within
 * {@link Builder#requestBodyTimeout} of its head; a connection that misses one is closed. Jetty's
 * per-connection header cache is off (it costs about 100 KiB of heap per kept-alive connection).
 * The server sends no {@code Server} or {@code Date} header, and never creates sessions. The errors
 * Jetty answers itself (a request it cannot parse, an unknown HTTP version, a head or URI over its
 * limits, an ambiguous path, a path no servlet serves) are one line of {@code text/plain; charset=
 * utf-8} with Jetty's status, for every method, like the filter's own 4xx replies. Closing the
 * server closes the filter (held polls answer {@code []}) but not the bus.
 *
 * <p>It also serves the JavaScript client of {@code message-bus-js}, when that jar is on the class
 * path, at {@value #ASSETS_PATH}{@code message-bus.js} (and {@code message-bus.mjs}, {@code
 * message-bus.d.ts}): a path outside {@code /message-bus/}, so it never collides with a client id.
 *
 * <p><b>Size.</b> Over 500 lines because the public nested Builder documents every server option;
 * the request handling lives in the adapters and the engine.
 */
public final class MessageBusServer implements AutoCloseable {

  /** Default of {@link Builder#host}: the loopback address. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** Default of {@link Builder#port}: 9292. */
  public static final int DEFAULT_PORT = 9292;

  /**
   * Default of {@link Builder#maxThreads} when requests may block a thread: 64 (Jetty's default is
   * 200). That is the Servlet adapter, identity lookups not declared non-blocking, a WebSocket
   * endpoint or an application handler that Jetty would call blocking. Held polls use no thread
   * while they wait, but a burst of requests (a reconnection storm, replies and the polls after
   * them) grows the pool to its maximum, and Jetty hands its jobs to every idle thread in turn, so
   * the pool does not shrink again while requests keep coming: each thread keeps its stack and
   * working memory (about 230 KiB resident). 64 instead of 200 is about 15 MiB less. Raise it when
   * request handling blocks (slow user lookups, a slow store for cold channels) and many requests
   * arrive at once.
   */
  public static final int DEFAULT_MAX_THREADS = 64;

  /**
   * Default of {@link Builder#maxThreads} per available processor when polls are answered on
   * Jetty's I/O thread (the Jetty core adapter without lookups that may block, a WebSocket endpoint
   * or an application handler whose invocation type is blocking): 8, at least {@value
   * #MIN_IO_THREAD_POLLS_MAX_THREADS} and at most {@link #DEFAULT_MAX_THREADS}. The pool then runs
   * only the hand-offs (store reads for cold channels, the first poll of a reconnecting browser),
   * not every request: 16 threads on a 2-core machine hold about 11 MiB less than 64 at 5,000 held
   * polls, at the same CPU and latency (BENCHMARKS.md, "Twelfth machine").
   */
  public static final int IO_THREAD_POLLS_MAX_THREADS_PER_PROCESSOR = 8;

  /** The least default {@link Builder#maxThreads} when polls are answered on the I/O thread. */
  public static final int MIN_IO_THREAD_POLLS_MAX_THREADS = 16;

  /** Default of {@link Builder#outputBufferSize}: 32 KiB (Jetty's default). */
  public static final int DEFAULT_OUTPUT_BUFFER_SIZE = 32 * 1024;

  /**
   * Default of {@link Builder#inputBufferSize}: 1 KiB (Jetty's default is 8 KiB). A held poll whose
   * request had a body keeps its connection's input buffer until the reply (Jetty releases it only
   * when the exchange ends), so this is native memory per held poll; a longer request (large
   * cookies, a long channel list) is read in more pieces.
   */
  public static final int DEFAULT_INPUT_BUFFER_SIZE = 1024;

  /**
   * Default of {@link Builder#bufferPoolMaxMemory}: 8 MiB of heap buffers and 8 MiB of direct
   * buffers at most kept in Jetty's buffer pool between uses (Jetty's default: an eighth of the
   * maximum heap each).
   */
  public static final long DEFAULT_BUFFER_POOL_MAX_MEMORY = 8L * 1024 * 1024;

  /**
   * Default of {@link Builder#bufferPoolMaxBucketSize}: 65,536 buffers of each size. Every held
   * poll keeps its request buffer until it is answered, and Jetty's pool looks for a free buffer by
   * walking its entries: unbounded ({@code -1}, Jetty's own default) the walk covers every held
   * poll on every new request (11.5 µs at 5,000 held polls, 34 µs at 10,000 on a 2-vCPU machine);
   * bounded above 256, Jetty walks its first 256 entries and then takes a free buffer from a queue
   * (about 1.4 µs at any number). BENCHMARKS.md, "Jetty's buffer pool walk".
   */
  public static final int DEFAULT_BUFFER_POOL_MAX_BUCKET_SIZE = 65536;

  /** What the default {@link Builder#idleTimeout} adds to the long-polling interval: 30 seconds. */
  public static final Duration DEFAULT_IDLE_TIMEOUT_MARGIN = Duration.ofSeconds(30);

  /** Default of {@link Builder#requestHeadTimeout}: 10 seconds. */
  public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(10);

  /** Default of {@link Builder#requestBodyTimeout}: 30 seconds. */
  public static final Duration DEFAULT_REQUEST_BODY_TIMEOUT = Duration.ofSeconds(30);

  /** Where the JavaScript client files are served: {@value}. */
  public static final String ASSETS_PATH = AssetServlet.PATH;

  private final Server server;
  private final ServerConnector connector;
  private final HttpConfiguration httpConfiguration;
  private final ArrayByteBufferPool bufferPool;
  private final MessageBusFilter filter;
  private final Adapter adapter;
  private final @Nullable WebSocketEndpoint webSockets;

  /** Which adapter of the engine serves the bus: the Servlet filter, or Jetty's core API. */
  public enum Adapter {
    /**
     * {@link #JETTY_CORE} unless something needs a servlet container: an application {@link
     * Builder#servlet}, {@link Builder#filter} or {@link Builder#staticResources}, or a lookup or
     * error handler of the {@link HttpTransportOptions} written for {@code HttpServletRequest}.
     */
    AUTO,
    /** The {@link MessageBusFilter} in a servlet context (Jetty ee10). */
    SERVLET,
    /**
     * A Jetty core handler, without the Servlet API: less heap per held poll and less CPU per
     * delivery (BENCHMARKS.md, "Engine split"). Serves the bus and the JavaScript client files
     * only.
     */
    JETTY_CORE
  }

  private MessageBusServer(Builder b) {
    Duration idleTimeout =
        b.idleTimeout != null
            ? b.idleTimeout
            : b.options.longPollingInterval().plus(DEFAULT_IDLE_TIMEOUT_MARGIN);
    if (idleTimeout.compareTo(b.options.longPollingInterval()) <= 0) {
      throw new IllegalArgumentException(
          "idleTimeout must exceed the long-polling interval ("
              + b.options.longPollingInterval()
              + "): "
              + idleTimeout);
    }
    boolean needsServlet =
        !b.filters.isEmpty()
            || !b.servlets.isEmpty()
            || b.staticResources != null
            || b.options.hasServletLookups();
    if ((b.adapter == Adapter.JETTY_CORE || b.handler != null) && needsServlet) {
      throw new IllegalArgumentException(
          "the JETTY_CORE adapter serves no application servlet, filter or static folder, and"
              + " cannot call lookups written for HttpServletRequest: use SERVLET or AUTO");
    }
    if (b.webSocket != null && b.options.hasServletLookups()) {
      throw new IllegalArgumentException(
          "the WebSocket endpoint cannot call lookups written for HttpServletRequest (an upgrade"
              + " is not a servlet request): give them as userIdFromRequest, groupIdsFromRequest,"
              + " siteIdFromRequest");
    }
    if (b.adapter == Adapter.SERVLET && b.handler != null) {
      throw new IllegalArgumentException(
          "an application handler needs the JETTY_CORE adapter; with SERVLET mount a servlet");
    }
    this.adapter =
        b.adapter == Adapter.AUTO
            ? (needsServlet ? Adapter.SERVLET : Adapter.JETTY_CORE)
            : b.adapter;
    HttpEngine coreEngine =
        adapter == Adapter.JETTY_CORE ? new HttpEngine(b.bus, b.options.toEngineOptions()) : null;
    // Polls run on Jetty's I/O thread where they cannot block; not behind the WebSocket
    // upgrade handler, whose handshake runs the endpoint's lookups.
    // With lookups that may block, every request would go from the I/O thread to a worker: the
    // handler is then a blocking one, which Jetty runs on a worker in the first place (one
    // hand-off instead of two, and no answer on a worker while the I/O thread still works on
    // the connection: jetty/jetty.project#12939, see JettyCoreExchange#prefetchBody).
    boolean pollsOnIoThread =
        coreEngine != null && b.webSocket == null && !coreEngine.lookupsMayBlock();
    int maxThreads =
        b.maxThreads > 0
            ? b.maxThreads
            : defaultMaxThreads(
                pollsOnIoThread
                    && (b.handler == null
                        || b.handler.getInvocationType() == Invocable.InvocationType.NON_BLOCKING),
                Runtime.getRuntime().availableProcessors());
    QueuedThreadPool threads = new QueuedThreadPool(maxThreads);
    threads.setName("message-bus-http");
    // Buffers are sized in steps of 1 KiB (Jetty's default pool: 4 KiB, so a 2 KiB input buffer
    // would take 4), and the pool keeps at most bufferPoolMaxMemory of each kind between uses.
    // Each acquisition returns its buffer at most once (GuardedBufferPool: Jetty #12939).
    this.bufferPool =
        new GuardedBufferPool(
            0,
            1024,
            65536,
            b.bufferPoolMaxBucketSize,
            b.bufferPoolMaxMemory,
            b.bufferPoolMaxMemory);
    this.server = new Server(threads, null, bufferPool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    http.setSendXPoweredBy(false);
    // Jetty's parser keeps a per-connection cache of recently seen header fields (about 100 KiB of
    // heap per kept-alive connection); with thousands of held polls that dominates the heap.
    http.setHeaderCacheSize(0);
    http.setOutputBufferSize(b.outputBufferSize);
    http.setInputBufferSize(b.inputBufferSize);
    this.httpConfiguration = http;
    this.connector =
        new ServerConnector(
            server,
            b.acceptors,
            -1,
            new DeadlineHttpConnectionFactory(http, b.requestHeadTimeout, b.requestBodyTimeout));
    connector.setHost(b.host);
    connector.setPort(b.port);
    connector.setIdleTimeout(idleTimeout.toMillis());
    connector.setAcceptQueueSize(b.acceptQueueSize);
    server.addConnector(connector);

    // Jetty's own error responses (bad requests it refuses before the bus, sendError) answer like
    // the bus's: one line of text/plain for every method, not an HTML or JSON page.
    server.setErrorHandler(new PlainErrorHandler());
    if (coreEngine != null) {
      HttpEngine engine = coreEngine;
      this.filter = new MessageBusFilter(engine);
      MessageBusHandler handler =
          new MessageBusHandler(engine, MessageBusServer.class.getClassLoader(), pollsOnIoThread);
      if (b.handler != null) {
        handler.setHandler(b.handler);
      }
      this.webSockets = b.webSocket == null ? null : new WebSocketEndpoint(engine, b.webSocket);
      server.setHandler(
          webSockets == null ? handler : JettyWebSockets.handler(server, webSockets, handler));
      return;
    }
    this.filter = new MessageBusFilter(b.bus, b.options);
    this.webSockets =
        b.webSocket == null ? null : new WebSocketEndpoint(filter.engine(), b.webSocket);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath("/");
    FilterHolder holder = new FilterHolder(filter);
    holder.setAsyncSupported(true);
    for (Filter applicationFilter : b.filters) {
      FilterHolder app = new FilterHolder(applicationFilter);
      app.setAsyncSupported(true);
      context.addFilter(app, "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(
        new ServletHolder(new AssetServlet(MessageBusServer.class.getClassLoader())),
        ASSETS_PATH + "*");
    b.servlets.forEach(
        (path, servlet) -> {
          ServletHolder sh = new ServletHolder(servlet);
          sh.setAsyncSupported(true);
          context.addServlet(sh, path);
        });
    if (b.staticResources != null) {
      Resource base = ResourceFactory.of(context).newClassLoaderResource(b.staticResources);
      if (base == null) {
        throw new IllegalArgumentException(
            "staticResources not found on the class path: " + b.staticResources);
      }
      context.setBaseResource(base);
      ServletHolder def = new ServletHolder("default", DefaultServlet.class);
      def.setInitParameter("dirAllowed", "false");
      context.addServlet(def, "/");
    } else if (!b.servlets.containsKey("/")) {
      context.addServlet(new ServletHolder(new NotFoundServlet()), "/");
    }
    context.setErrorHandler(new PlainErrorHandler());
    server.setHandler(
        webSockets == null ? context : JettyWebSockets.handler(server, webSockets, context));
  }

  /**
   * Starts a builder for a server on a bus.
   *
   * @param bus the bus to serve (not closed by the server)
   * @return a new builder
   */
  public static Builder builder(MessageBus bus) {
    return new Builder(bus);
  }

  /**
   * Starts listening.
   *
   * @return this server
   * @throws IllegalStateException if Jetty fails to start (e.g. the port is taken)
   */
  public MessageBusServer start() {
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception ignored) {
        // best effort
      }
      throw new IllegalStateException("cannot start the HTTP server: " + e.getMessage(), e);
    }
    return this;
  }

  /**
   * Returns the port listened on (the chosen one when the builder was given 0).
   *
   * @return the local port
   */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * Returns the bus endpoint: the mounted filter, or with the {@link Adapter#JETTY_CORE} adapter a
   * filter over the same engine (not mounted; {@link MessageBusFilter#heldPolls()} and {@link
   * MessageBusFilter#isListening()} tell the truth).
   *
   * @return the filter
   */
  public MessageBusFilter filter() {
    return filter;
  }

  /**
   * Returns the adapter serving the bus ({@link Adapter#AUTO} resolved).
   *
   * @return {@link Adapter#SERVLET} or {@link Adapter#JETTY_CORE}
   */
  public Adapter adapter() {
    return adapter;
  }

  /**
   * Returns the WebSocket endpoint, when {@link Builder#webSocket} enabled it.
   *
   * @return the endpoint (its {@link WebSocketEndpoint#connections()} and {@link
   *     WebSocketEndpoint#slowConsumersClosed()} tell what it does), or null
   */
  public @Nullable WebSocketEndpoint webSockets() {
    return webSockets;
  }

  HttpConfiguration httpConfiguration() {
    return httpConfiguration;
  }

  ArrayByteBufferPool bufferPool() {
    return bufferPool;
  }

  /** The number of request deadlines armed so far (for tests: a whole request arms none). */
  long deadlinesArmed() {
    return Objects.requireNonNull(
            connector.getConnectionFactory(DeadlineHttpConnectionFactory.class))
        .deadlinesArmed();
  }

  /**
   * The number of times a connection went back to waiting for its next request on the thread that
   * completed a response, without a pool thread (for tests; see {@code DeadlineConnection}).
   */
  long resumedInPlace() {
    return Objects.requireNonNull(
            connector.getConnectionFactory(DeadlineHttpConnectionFactory.class))
        .resumedInPlace();
  }

  long idleTimeoutMillis() {
    return connector.getIdleTimeout();
  }

  /** The connector's open connections' endpoints (for tests). */
  Collection<EndPoint> connectedEndPoints() {
    return connector.getConnectedEndPoints();
  }

  int maxThreads() {
    return ((QueuedThreadPool) server.getThreadPool()).getMaxThreads();
  }

  /**
   * The default largest number of Jetty threads.
   *
   * @param pollsOnIoThread whether polls are answered on Jetty's I/O thread and nothing else runs
   *     on the server's workers
   * @param processors the available processors
   */
  static int defaultMaxThreads(boolean pollsOnIoThread, int processors) {
    if (!pollsOnIoThread) {
      return DEFAULT_MAX_THREADS;
    }
    long perProcessor = (long) IO_THREAD_POLLS_MAX_THREADS_PER_PROCESSOR * processors;
    return (int)
        Math.min(DEFAULT_MAX_THREADS, Math.max(MIN_IO_THREAD_POLLS_MAX_THREADS, perProcessor));
  }

  /** Jetty's acceptor threads on the connector (0: its selector accepts). */
  int acceptors() {
    return connector.getAcceptors();
  }

  /**
   * How Jetty may run this server's request handling (for tests), as Jetty itself reads it: {@code
   * NON_BLOCKING} lets it run the bus's handler on its I/O thread (the Jetty core adapter without
   * lookups that may block or a WebSocket endpoint), {@code BLOCKING} runs it on a worker thread.
   */
  Invocable.InvocationType invocationType() {
    return server.getInvocationType();
  }

  /**
   * Blocks until the server stops.
   *
   * @throws InterruptedException if interrupted
   */
  public void join() throws InterruptedException {
    server.join();
  }

  /** Answers held polls, then stops Jetty. Idempotent. The bus stays open. */
  @Override
  public void close() {
    if (webSockets != null) {
      webSockets.close();
    }
    filter.close();
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the HTTP server", e);
    }
  }

  /** Builds a {@link MessageBusServer}. Not thread-safe. */
  public static final class Builder {
    private final MessageBus bus;
    private HttpTransportOptions options = HttpTransportOptions.defaults();
    private Adapter adapter = Adapter.AUTO;
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private int acceptQueueSize = 1024;
    private int acceptors = -1;
    private int maxThreads; // 0: by the adapter and the lookups (defaultMaxThreads)
    private int outputBufferSize = DEFAULT_OUTPUT_BUFFER_SIZE;
    private int inputBufferSize = DEFAULT_INPUT_BUFFER_SIZE;
    private long bufferPoolMaxMemory = DEFAULT_BUFFER_POOL_MAX_MEMORY;
    private int bufferPoolMaxBucketSize = DEFAULT_BUFFER_POOL_MAX_BUCKET_SIZE;
    private @Nullable Duration idleTimeout;
    private Duration requestHeadTimeout = DEFAULT_REQUEST_HEAD_TIMEOUT;
    private Duration requestBodyTimeout = DEFAULT_REQUEST_BODY_TIMEOUT;
    private @Nullable String staticResources;
    private final Map<String, HttpServlet> servlets = new LinkedHashMap<>();
    private final List<Filter> filters = new ArrayList<>();
    private @Nullable Handler handler;
    private @Nullable WebSocketOptions webSocket;

    private Builder(MessageBus bus) {
      this.bus = Objects.requireNonNull(bus, "bus");
    }

    /**
     * Sets the endpoint options. Default {@link HttpTransportOptions#defaults()}.
     *
     * @param options the options
     * @return this builder
     */
    public Builder httpOptions(HttpTransportOptions options) {
      this.options = Objects.requireNonNull(options, "httpOptions");
      return this;
    }

    /**
     * Chooses the adapter that serves the bus. Default {@link Adapter#AUTO}: Jetty's core API
     * unless something needs a servlet container.
     *
     * @param adapter the adapter
     * @return this builder
     */
    public Builder adapter(Adapter adapter) {
      this.adapter = Objects.requireNonNull(adapter, "adapter");
      return this;
    }

    /**
     * Enables the WebSocket endpoint at {@code <baseRoute>message-bus/<clientId>/ws} (protocol,
     * close codes and options: docs/http.md, "WebSocket"). It runs on Jetty's WebSocket API with
     * either adapter, in front of the bus and the application; lookups must then be written for
     * {@code HttpRequestView} ({@code userIdFromRequest}...). Default: off (the Ruby wire only).
     *
     * @param options the WebSocket options, e.g. {@link WebSocketOptions#defaults()}
     * @return this builder
     */
    public Builder webSocket(WebSocketOptions options) {
      this.webSocket = Objects.requireNonNull(options, "webSocket");
      return this;
    }

    /**
     * Sets the address to bind. Default {@value #DEFAULT_HOST}.
     *
     * @param host a host name or address
     * @return this builder
     */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /**
     * Sets the port. Default {@value #DEFAULT_PORT}; 0 picks a free port.
     *
     * @param port 0 to 65535
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Sets the TCP accept backlog. Default 1,024.
     *
     * @param size at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder acceptQueueSize(int size) {
      this.acceptQueueSize = OptionChecks.atLeastOne("acceptQueueSize", size);
      return this;
    }

    /**
     * Sets how many threads accept new connections. Default -1: Jetty's default, one acceptor
     * thread, which accepts each connection and hands it to the selector thread. 0: the selector
     * thread accepts, without that hand-off: measured 4–6 µs less server CPU per new connection and
     * a lower latency under 10,000 connects a second (BENCHMARKS.md, "Accepting on the selector"),
     * for deployments whose clients open many connections (no keep-alive through a proxy,
     * streaming's restarts); a burst of connects then competes with the held connections' I/O on
     * the selector thread.
     *
     * @param acceptors -1 (Jetty's default), 0 (the selector accepts) or up to 64
     * @return this builder
     * @throws IllegalArgumentException if below -1 or above 64
     */
    public Builder acceptors(int acceptors) {
      if (acceptors < -1 || acceptors > 64) {
        throw new IllegalArgumentException(
            "acceptors must be -1 (Jetty's default), 0 or up to 64: " + acceptors);
      }
      this.acceptors = acceptors;
      return this;
    }

    /**
     * Sets the largest number of Jetty threads. Held polls use no thread while they wait, so this
     * bounds the requests being processed at once, not the connections. Default: when polls are
     * answered on Jetty's I/O thread (the Jetty core adapter without identity lookups that may
     * block, a WebSocket endpoint or an application {@link #handler} that is not a non-blocking
     * one, such as {@code Handler.Abstract.NonBlocking}), {@value
     * #IO_THREAD_POLLS_MAX_THREADS_PER_PROCESSOR} per available processor, at least {@value
     * #MIN_IO_THREAD_POLLS_MAX_THREADS} and at most {@value #DEFAULT_MAX_THREADS} (16 on 2 cores);
     * otherwise {@value #DEFAULT_MAX_THREADS}. A pool grown by a burst does not shrink while
     * requests keep coming, and each thread holds about 230 KiB.
     *
     * @param maxThreads at least 8 (Jetty needs some for accepting and selecting)
     * @return this builder
     * @throws IllegalArgumentException if below 8
     */
    public Builder maxThreads(int maxThreads) {
      if (maxThreads < 8) {
        throw new IllegalArgumentException("maxThreads must be at least 8: " + maxThreads);
      }
      this.maxThreads = maxThreads;
      return this;
    }

    /**
     * Sets how long a connection may stay silent before Jetty closes it. It must exceed the
     * long-polling interval, or held polls would be cut. Default: the long-polling interval plus
     * {@link #DEFAULT_IDLE_TIMEOUT_MARGIN} (55 seconds with the default interval).
     *
     * @param idleTimeout a positive duration above the long-polling interval (checked by {@link
     *     #build})
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = OptionChecks.positive("idleTimeout", idleTimeout);
      return this;
    }

    /**
     * Sets how long a request's head (request line and headers) may take to arrive, from its first
     * byte; a connection still sending it then is closed. The idle timeout cannot do this (each
     * byte restarts it), so without a deadline a client sending one byte a second keeps a
     * connection for ever. A kept-alive connection between requests is not affected. Default 10 s.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder requestHeadTimeout(Duration timeout) {
      this.requestHeadTimeout = OptionChecks.positive("requestHeadTimeout", timeout);
      return this;
    }

    /**
     * Sets how long a request's body may take to arrive, from the end of its head; a connection
     * still sending it then is closed. Applies to every request the server receives: an application
     * servlet should read its body before slow work. Held polls are not affected (their request is
     * complete). Default 30 s.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if zero or negative
     */
    public Builder requestBodyTimeout(Duration timeout) {
      this.requestBodyTimeout = OptionChecks.positive("requestBodyTimeout", timeout);
      return this;
    }

    /**
     * Sets the size of a response's output buffer (Jetty's {@code outputBufferSize}). Buffers are
     * pooled and taken only while a response is written. Default {@value
     * #DEFAULT_OUTPUT_BUFFER_SIZE} bytes.
     *
     * @param bytes 1,024 to 1,048,576
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder outputBufferSize(int bytes) {
      if (bytes < 1024 || bytes > 1024 * 1024) {
        throw new IllegalArgumentException(
            "outputBufferSize must be between 1024 and 1048576: " + bytes);
      }
      this.outputBufferSize = bytes;
      return this;
    }

    /**
     * Sets the size of a connection's input buffer (Jetty's {@code inputBufferSize}): how much of a
     * request one read takes in; longer requests are read in several. A held poll whose request had
     * a body keeps this buffer until its reply, so it is memory (outside the heap) per held poll:
     * docs/operations.md, "Memory". Default {@value #DEFAULT_INPUT_BUFFER_SIZE} bytes.
     *
     * @param bytes 512 to 1,048,576
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder inputBufferSize(int bytes) {
      if (bytes < 512 || bytes > 1024 * 1024) {
        throw new IllegalArgumentException(
            "inputBufferSize must be between 512 and 1048576: " + bytes);
      }
      this.inputBufferSize = bytes;
      return this;
    }

    /**
     * Sets how many bytes of buffers Jetty's buffer pool keeps between uses, for heap and direct
     * buffers each. A burst (a message to thousands of held polls) takes a buffer per reply; the
     * pool keeps at most this much of them afterwards, the rest is garbage. Default {@value
     * #DEFAULT_BUFFER_POOL_MAX_MEMORY} bytes.
     *
     * @param bytes 1 to 1 GiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder bufferPoolMaxMemory(long bytes) {
      if (bytes < 1 || bytes > 1024L * 1024 * 1024) {
        throw new IllegalArgumentException(
            "bufferPoolMaxMemory must be between 1 and 1073741824: " + bytes);
      }
      this.bufferPoolMaxMemory = bytes;
      return this;
    }

    /**
     * Sets how many buffers of each size Jetty's buffer pool holds, in use or not; a buffer needed
     * beyond that is allocated outside the pool and left to the garbage collector. Above 256, Jetty
     * keeps the buffers beyond its first 256 in a queue, so finding a free one walks at most 256
     * entries; at 256 or below, or unbounded ({@code -1}, Jetty's own default), it walks them all,
     * and held polls each keep one. Default {@value #DEFAULT_BUFFER_POOL_MAX_BUCKET_SIZE}.
     *
     * @param buffers 1 to 65536, or -1 for unbounded
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder bufferPoolMaxBucketSize(int buffers) {
      if (buffers != -1 && (buffers < 1 || buffers > 65536)) {
        throw new IllegalArgumentException(
            "bufferPoolMaxBucketSize must be -1 (unbounded) or between 1 and 65536: " + buffers);
      }
      this.bufferPoolMaxBucketSize = buffers;
      return this;
    }

    /**
     * Serves files from a class-path folder at the root (e.g. {@code static/}). Default: none.
     *
     * @param classPathFolder the folder
     * @return this builder
     */
    public Builder staticResources(String classPathFolder) {
      this.staticResources = Objects.requireNonNull(classPathFolder, "staticResources");
      return this;
    }

    /**
     * Mounts an application servlet (the bus filter runs in front of it). Default: none.
     *
     * @param pathSpec a servlet path spec such as {@code /say}
     * @param servlet the servlet
     * @return this builder
     */
    public Builder servlet(String pathSpec, HttpServlet servlet) {
      servlets.put(Objects.requireNonNull(pathSpec, "pathSpec"), Objects.requireNonNull(servlet));
      return this;
    }

    /**
     * Mounts an application Jetty core handler behind the bus: it receives every request that is
     * neither the bus's nor a JavaScript client file. Needs (and with {@link Adapter#AUTO} selects)
     * the {@link Adapter#JETTY_CORE} adapter. Default: none (404).
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder handler(Handler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Mounts an application filter on every request, in front of the bus filter (e.g.
     * authentication, so the lookups can see the user, or rate limiting). Filters run in the order
     * added. Default: none.
     *
     * @param filter the filter (must support async requests if it wraps bus requests)
     * @return this builder
     */
    public Builder filter(Filter filter) {
      filters.add(Objects.requireNonNull(filter, "filter"));
      return this;
    }

    /**
     * Builds the server (not started).
     *
     * @return the server
     * @throws IllegalArgumentException if the idle timeout does not exceed the long-polling
     *     interval, or the {@link Adapter#JETTY_CORE} adapter is asked for with servlets, filters,
     *     static resources or servlet lookups
     */
    public MessageBusServer build() {
      return new MessageBusServer(this);
    }
  }

  private static final class NotFoundServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.sendError(404);
    }
  }
}
