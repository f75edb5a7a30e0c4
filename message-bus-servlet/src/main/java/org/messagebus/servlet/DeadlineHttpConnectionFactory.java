// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpGenerator;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.CyclicTimeout;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's HTTP/1.1 connection factory with two deadlines that its idle timeout cannot give (each
 * byte restarts an idle timeout, so a client sending one byte a second holds a connection for
 * ever):
 *
 * <ul>
 *   <li><b>head</b>: from the first byte of a request to the end of its headers;
 *   <li><b>body</b>: from the end of the headers to the end of the body (for requests that have
 *       one). The body is parsed as the application reads it; the filter reads bus bodies at once,
 *       an application servlet should too.
 * </ul>
 *
 * A connection that misses a deadline while the server waits for its bytes is closed (the client
 * sees the connection end, no status); a deadline that passes while the bytes are in but not yet
 * parsed (a busy server, an application that has not read its body yet) is not the client's fault
 * and is looked at again shortly. Nothing runs between requests: a kept-alive connection waiting
 * for its next request is governed by the idle timeout alone, and a held poll (whose request is
 * complete) by the long-polling interval.
 *
 * <p>How: the connection's parser is wrapped, and every parse step (on whichever thread parses: the
 * selector's task for the head, the application's reading thread for the body; Jetty orders them)
 * moves the deadline: a request whose head is still incomplete when the bytes read so far are used
 * up arms the head deadline, a body still incomplete then arms the body deadline, completion clears
 * it (a request that arrives whole arms nothing). One {@link CyclicTimeout} per connection fires on
 * Jetty's scheduler and closes the endpoint if the deadline it was armed for still stands. This
 * extends Jetty's {@code HttpConnection}, a class of its {@code internal} package (public and made
 * for extension, but not API): checked against Jetty 12.1 by {@code RequestDeadlineTest}.
 *
 * <p>{@link MessageBusServer} serves with it. A Jetty server of one's own can use it in place of
 * {@link HttpConnectionFactory} (the Spring Boot starter does so on Boot's Jetty): {@code new
 * ServerConnector(server, new DeadlineHttpConnectionFactory(config, Duration.ofSeconds(10),
 * Duration.ofSeconds(30)))}. A zero duration sets no deadline of that kind.
 */
public final class DeadlineHttpConnectionFactory extends HttpConnectionFactory {

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusServer.class);

  private final long headNanos;
  private final long bodyNanos;
  // deadlines armed so far, all connections (for tests: a request that arrives whole arms none)
  private final LongAdder armed = new LongAdder();
  // connections resumed in place after a response completed on another thread (for tests)
  private final LongAdder resumedInPlace = new LongAdder();
  private final FailureLog failures = new FailureLog();

  /**
   * Creates the factory.
   *
   * @param config the HTTP configuration, as for {@link HttpConnectionFactory}
   * @param head the longest from a request's first byte to the end of its head; {@link
   *     Duration#ZERO} for none
   * @param body the longest from the end of a request's head to the end of its body; {@link
   *     Duration#ZERO} for none
   * @throws IllegalArgumentException if a duration is negative
   */
  public DeadlineHttpConnectionFactory(HttpConfiguration config, Duration head, Duration body) {
    super(config);
    if (head.isNegative() || body.isNegative()) {
      throw new IllegalArgumentException(
          "request deadlines must not be negative: head " + head + ", body " + body);
    }
    this.headNanos = head.toNanos();
    this.bodyNanos = body.toNanos();
  }

  /**
   * The longest from a request's first byte to the end of its head.
   *
   * @return the head deadline; {@link Duration#ZERO} if there is none
   */
  public Duration requestHeadTimeout() {
    return Duration.ofNanos(headNanos);
  }

  /**
   * The longest from the end of a request's head to the end of its body.
   *
   * @return the body deadline; {@link Duration#ZERO} if there is none
   */
  public Duration requestBodyTimeout() {
    return Duration.ofNanos(bodyNanos);
  }

  @Override
  public Connection newConnection(Connector connector, EndPoint endPoint) {
    // As HttpConnectionFactory.newConnection (Jetty 12.1), with our connection class.
    DeadlineConnection connection =
        new DeadlineConnection(
            getHttpConfiguration(),
            connector,
            endPoint,
            headNanos,
            bodyNanos,
            armed,
            resumedInPlace,
            failures);
    connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
    return configure(connection, connector, endPoint);
  }

  /** The number of deadlines armed so far, over all connections (for tests). */
  long deadlinesArmed() {
    return armed.sum();
  }

  /** The number of connections resumed without a pool thread so far (for tests). */
  long resumedInPlace() {
    return resumedInPlace.sum();
  }

  /** An HTTP/1.1 connection whose parser keeps the deadlines. */
  static final class DeadlineConnection extends HttpConnection {
    // Set after the super constructor (which builds the parser), read only by parse steps.
    private final long headNanos;
    private final long bodyNanos;
    private final Deadline deadline;
    private final FailureLog failures;
    private final LongAdder resumedInPlace;
    // the thread completing a held poll's response (completeHeldPoll), while it does
    private volatile @Nullable Thread completing;
    // Jetty reads it only after construction (onOpen, a resume, an idle timeout)
    private final java.util.concurrent.Executor resumer = this::resume;
    // What Jetty's own fill interest does (its callback is private): parse on the selector thread
    // when the server's handlers do not block, as after any other request.
    private final org.eclipse.jetty.util.Callback fillable =
        new org.eclipse.jetty.util.Callback() {
          private final org.eclipse.jetty.util.thread.Invocable.InvocationType type =
              getServer().getInvocationType();

          @Override
          public void succeeded() {
            onFillable();
          }

          @Override
          public void failed(Throwable x) {
            onFillInterestedFailed(x);
          }

          @Override
          public org.eclipse.jetty.util.thread.Invocable.InvocationType getInvocationType() {
            return type;
          }
        };

    DeadlineConnection(
        HttpConfiguration config,
        Connector connector,
        EndPoint endPoint,
        long headNanos,
        long bodyNanos,
        LongAdder armed,
        LongAdder resumedInPlace,
        FailureLog failures) {
      super(config, connector, endPoint);
      this.failures = failures;
      this.resumedInPlace = resumedInPlace;
      this.headNanos = headNanos;
      this.bodyNanos = bodyNanos;
      this.deadline = new Deadline(connector, endPoint, armed);
      ((DeadlineParser) getParser()).connection = this;
    }

    /**
     * The executor Jetty resumes this connection with, and runs its other tasks on. When a response
     * ends on another thread than the one that handled its request — every held poll, answered by
     * the fan-out — Jetty 12.1 resumes the connection by running {@code onFillable} on a pool
     * thread, which reads the socket (twice: a retry meant for TLS) and, finding nothing, asks the
     * selector to wait for the next request: a thread hand-off and two empty reads per answered
     * poll (1.6 empty reads per response at 5,000 long pollers). For the end of a held poll the bus
     * answered or a stream it ended ({@link #completeHeldPoll}: its request was read whole, and its
     * disconnect watch closed the connection on any byte sent after it), with nothing in the
     * request buffer and nobody reading, this asks the selector at once instead, as Jetty's later
     * code does. Everything else goes to the pool as before: above all a response Jetty makes
     * itself (a request it refuses is answered on a pool thread while the thread that parsed it
     * goes on with the connection; resuming in place there raced that thread's own read, {@code
     * RefusedRequestIsolationTest}).
     */
    @Override
    protected java.util.concurrent.Executor getExecutor() {
      return resumer;
    }

    /**
     * Runs the completion of a held poll's response (its handler callback's success), so that
     * Jetty's resume of the connection from inside it may wait for the next request in place.
     */
    void completeHeldPoll(Runnable completion) {
      completing = Thread.currentThread();
      try {
        completion.run();
      } finally {
        completing = null;
      }
    }

    private void resume(Runnable task) {
      if (task == this
          && completing == Thread.currentThread()
          && isRequestBufferEmpty()
          && getEndPoint().isOpen()
          && !isFillInterested()) {
        // counted first: a test reads the count once the next request was answered
        resumedInPlace.increment();
        // false: someone registered since the check, and that reader takes the next request
        getEndPoint().tryFillInterested(fillable);
        return;
      }
      super.getExecutor().execute(task);
    }

    @Override
    protected HttpGenerator newHttpGenerator() {
      return new StreamGenerator(); // called by the super constructor
    }

    /**
     * Keeps this connection for the client's next request once the current response, a stream whose
     * chunk framing the bus writes itself (SPEC §4.12), has ended. Called before anything of the
     * response is written, and only when Jetty would keep the connection (the request allows it).
     * See {@link StreamGenerator}.
     */
    void keepFramedStreamAlive() {
      ((StreamGenerator) getGenerator()).framedKeepAlive = true;
    }

    /**
     * Closes this connection once the current response has ended, even where {@link
     * #keepFramedStreamAlive} would have kept it (a stream cut off because its client does not
     * read). Called before the response's last write; Jetty's write path orders it before the
     * generator's end.
     */
    void closeWhenDone() {
      StreamGenerator g = (StreamGenerator) getGenerator();
      g.framedKeepAlive = false;
      g.setPersistent(false);
    }

    @Override
    protected HttpParser newHttpParser(HttpCompliance compliance) {
      // Called by the super constructor: build Jetty's parser, then the same with our hooks.
      HttpParser stock = super.newHttpParser(compliance);
      DeadlineParser parser =
          new DeadlineParser(
              (HttpParser.RequestHandler) stock.getHandler(),
              getHttpConfiguration().getRequestHeaderSize(),
              compliance);
      parser.setHeaderCacheSize(stock.getHeaderCacheSize());
      parser.setHeaderCacheCaseSensitive(stock.isHeaderCacheCaseSensitive());
      return parser;
    }

    /**
     * Ends the deadline's timer; a connection closed by a failure inside the server is logged at
     * WARN with its cause. Jetty's {@code onFillable} catches anything its request handling throws
     * outside the application (its own request buffer's bookkeeping included: an "already released"
     * refused by {@link GuardedBufferPool}) and closes the connection, logging it only at DEBUG:
     * the client sees its connection end without an answer, the operator nothing. Closes for the
     * client's or the network's sake stay quiet: I/O failures and timeouts, Jetty's unchecked I/O
     * ({@code "Parser is terminated"} after a refused request) and its quiet failures ({@code
     * "Unconsumed"}: a body left unread when the response ended). At most one such WARN per {@link
     * FailureLog#WARN_INTERVAL}: a client could otherwise have a stack trace logged per refused
     * request it sends (Jetty's race after a refused request hits a few in 10,000).
     */
    @Override
    public void onClose(@Nullable Throwable cause) {
      deadline.destroy();
      if (cause != null && isServerFailure(cause)) {
        failures.log(cause);
      }
      super.onClose(cause);
    }
  }

  /**
   * Jetty's response generator, able to keep a connection after a body whose chunk framing the
   * application wrote itself. Jetty sends such a body (its {@code Transfer-Encoding: chunked} field
   * given as an unknown header, so that Jetty does not chunk it again) only as one delimited by the
   * connection's close, and says {@code Connection: close}: an HTTP/1.1 response without a length
   * that Jetty does not chunk has no other end. The bus frames streams itself because Jetty's own
   * chunking sends a chunk's closing CRLF only with the next chunk, and a reader that takes a chunk
   * once it is complete would stay a message behind (SPEC §4.12); yet the body it writes ends with
   * the zero chunk, so the client knows where it ends and may send its next poll on the same
   * connection. For such a stream ({@link DeadlineConnection#keepFramedStreamAlive}), this
   * generates the head as Jetty does for an HTTP/1.0 response without keep-alive — the body as
   * written, no {@code Connection} field; the status line stays {@code HTTP/1.1}, which Jetty
   * writes for every version — and then marks the connection persistent, so that Jetty parses the
   * next request on it instead of closing it once the body has ended. Checked against Jetty 12.1 by
   * {@code WireFormatTest} (the bytes on the wire, the connection reused) and {@code
   * KeepAliveTest}.
   */
  static final class StreamGenerator extends HttpGenerator {
    // Set by the request's handler before the response is committed; Jetty's write path orders
    // it before the head is generated.
    boolean framedKeepAlive;

    @Override
    public Result generateResponse(
        MetaData.@Nullable Response info,
        boolean head,
        @Nullable ByteBuffer header,
        @Nullable ByteBuffer chunk,
        @Nullable ByteBuffer content,
        boolean last)
        throws java.io.IOException {
      if (!framedKeepAlive
          || info == null
          || header == null
          || !isState(State.START)
          || !isPersistent()) { // not persistent: the connector is shutting down
        return super.generateResponse(info, head, header, chunk, content, last);
      }
      setPersistent(false); // no Connection field at all (HTTP/1.0 keep-alive would add one)
      Result result =
          super.generateResponse(
              new MetaData.Response(
                  info.getStatus(),
                  info.getReason(),
                  HttpVersion.HTTP_1_0,
                  info.getHttpFields(),
                  info.getContentLength(),
                  info.getTrailersSupplier()),
              head,
              header,
              chunk,
              content,
              last);
      if (!isState(State.START)) {
        framedKeepAlive = false;
        // A body written whole in its first write gets a Content-Length from Jetty as well: that
        // connection closes at its end, as before.
        if (!last) {
          setPersistent(true);
        }
      }
      return result;
    }

    @Override
    public void reset() {
      super.reset();
      framedKeepAlive = false;
    }
  }

  /**
   * Logs connections closed by a failure in the server: the first at WARN with its stack trace,
   * then at most one WARN per {@link #WARN_INTERVAL} (saying how many came between, logged at
   * DEBUG).
   */
  static final class FailureLog {
    static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
    static final String MESSAGE = "HTTP connection closed by a failure in the server";

    private final AtomicLong nextWarnNanos = new AtomicLong(System.nanoTime());
    private final LongAdder sinceLastWarn = new LongAdder();

    void log(Throwable cause) {
      long now = System.nanoTime();
      long next = nextWarnNanos.get();
      if (now - next >= 0 && nextWarnNanos.compareAndSet(next, now + WARN_INTERVAL.toNanos())) {
        long between = sinceLastWarn.sumThenReset();
        if (between == 0) {
          LOG.warn(MESSAGE, cause);
        } else {
          LOG.warn(
              "{} ({} more since the last such warning, logged at DEBUG)", MESSAGE, between, cause);
        }
      } else {
        sinceLastWarn.increment();
        LOG.debug(MESSAGE, cause);
      }
    }
  }

  /** Whether a connection's close cause is a failure of the server rather than a client's end. */
  static boolean isServerFailure(Throwable cause) {
    return (cause instanceof RuntimeException || cause instanceof Error)
        && !(cause instanceof java.io.UncheckedIOException)
        && !(cause instanceof org.eclipse.jetty.io.QuietException);
  }

  /** The parser of a {@link DeadlineConnection}: each parse step moves the deadline. */
  static final class DeadlineParser extends HttpParser {
    @Nullable DeadlineConnection connection; // set right after construction, before any parse

    DeadlineParser(RequestHandler handler, int maxHeaderBytes, HttpCompliance compliance) {
      super(handler, maxHeaderBytes, compliance);
    }

    @Override
    public boolean parseNext(ByteBuffer buffer) {
      if (connection == null) {
        return super.parseNext(buffer);
      }
      Deadline d = connection.deadline;
      try {
        return super.parseNext(buffer);
      } finally {
        // A deadline is armed only when the parser waits for the client's bytes (the buffer is
        // used up mid-head or mid-body): a request that arrives whole, as nearly every poll does,
        // schedules no timer, so the long-poll cycle allocates none and none lingers on the
        // scheduler's queue while its poll is held.
        if (inContentState()) {
          // A body whose last bytes were just handed over ends without another byte from the
          // client (its length is known): every request whose body came whole passes here.
          if (!buffer.hasRemaining() && !bodyAllRead()) {
            d.arm(Phase.BODY, connection.bodyNanos);
          }
        } else if (inHeaderState()) {
          if (!isStart() && !buffer.hasRemaining()) {
            d.arm(Phase.HEAD, connection.headNanos);
          }
        } else {
          d.clear(); // complete, or closing
        }
      }
    }

    /** Whether all of a body of known length was parsed (the parser then stays in CONTENT). */
    private boolean bodyAllRead() {
      long length = getContentLength();
      return length >= 0 && getContentRead() >= length;
    }

    @Override
    public void reset() {
      super.reset();
      if (connection != null) {
        connection.deadline.clear();
      }
    }
  }

  enum Phase {
    NONE,
    HEAD,
    BODY
  }

  /**
   * The current deadline of one connection. Armed and cleared by parse steps, which Jetty runs one
   * at a time; the timer thread only reads the volatile fields, and closes the endpoint if the
   * phase it finds is still due.
   */
  static final class Deadline extends CyclicTimeout {
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private final EndPoint endPoint;
    private final LongAdder armed;
    private volatile Phase phase = Phase.NONE;
    private volatile long dueNanos;

    Deadline(Connector connector, EndPoint endPoint, LongAdder armed) {
      super(connector.getScheduler());
      this.endPoint = endPoint;
      this.armed = armed;
    }

    /**
     * Arms a phase's deadline unless that phase is already running (its deadline stands); a phase
     * without a deadline ({@code nanos} 0) clears the one before.
     */
    void arm(Phase next, long nanos) {
      if (phase == next) {
        return;
      }
      if (nanos <= 0) {
        clear();
        return;
      }
      dueNanos = System.nanoTime() + nanos;
      phase = next;
      armed.increment();
      schedule(nanos, TimeUnit.NANOSECONDS);
    }

    void clear() {
      if (phase != Phase.NONE) {
        phase = Phase.NONE;
        cancel();
      }
    }

    @Override
    public void onTimeoutExpired() {
      Phase p = phase;
      if (p == Phase.NONE) {
        return;
      }
      long late = System.nanoTime() - dueNanos;
      if (late < 0) {
        schedule(-late, TimeUnit.NANOSECONDS); // re-armed for a later deadline meanwhile
        return;
      }
      if (!endPoint.isFillInterested()) {
        // Nobody is waiting for the client's bytes: they are in, and the server (the parser, or
        // an application that has not read its body yet) is the slow one. Look again shortly.
        schedule(RECHECK_NANOS, TimeUnit.NANOSECONDS);
        return;
      }
      String what = p == Phase.HEAD ? "request head" : "request body";
      LOG.debug("closing {}: {} not received in time", endPoint.getRemoteSocketAddress(), what);
      endPoint.close(new TimeoutException(what + " not received in time"));
    }
  }
}
