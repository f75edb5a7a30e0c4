// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.messagebus.http.HttpEngine;
import org.messagebus.http.HttpExchange;

/**
 * A bus request of Jetty 12's core API (no Servlet) as the engine sees it. Jetty's core response is
 * asynchronous already: every write takes a callback, and the request's callback ends the exchange.
 * The engine's non-blocking contract maps onto it directly: a write is in flight until its callback
 * runs ({@link #isReady} false meanwhile, then {@link HeldListener#onWritePossible}), a body is
 * read chunk by chunk with {@link Request#demand}. Headers go into the core response's fields,
 * which Jetty sends verbatim (the exact {@code Content-Type} needs no trick here).
 *
 * <p><b>Threads.</b> The engine calls output methods under its per-poll lock; write callbacks come
 * from Jetty's threads. The in-flight state is guarded by this object's monitor, never held while
 * calling the engine back.
 */
final class JettyCoreExchange implements HttpExchange {

  /** The blanks around a media type's parameter separator, which the response drops. */
  private static final Pattern PARAMETER_SPACE = Pattern.compile("\\s*;\\s*");

  // The header fields of nearly every reply (HttpEngine's no-cache and stream headers, content
  // types), built once: Jetty copies such a field's bytes as they are, and setting one allocates
  // nothing. Any other field is built per reply.
  private static final HttpField[] COMMON_FIELDS = {
    new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "must-revalidate, private, max-age=0"),
    new PreEncodedHttpField(HttpHeader.PRAGMA, "no-cache"),
    new PreEncodedHttpField(HttpHeader.EXPIRES, "0"),
    new PreEncodedHttpField(HttpHeader.CACHE_CONTROL, "no-cache"),
    new PreEncodedHttpField("X-Accel-Buffering", "no"),
    new PreEncodedHttpField("X-Content-Type-Options", "nosniff"),
    new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8"),
    new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8"),
    new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8"),
  };

  /** The prebuilt field with this name and value, or null. */
  private static @Nullable HttpField commonField(String name, String value) {
    for (HttpField f : COMMON_FIELDS) {
      if (f.getValue().equals(value) && f.getName().equalsIgnoreCase(name)) {
        return f;
      }
    }
    return null;
  }

  /** The longest declared body {@link #prefetchBody} reads before a request goes to a worker. */
  static final int PREFETCH_MAX_BYTES = 64 * 1024;

  private final Request request;
  private volatile @Nullable Thread nonBlockingThread;
  // Set on the I/O thread before the executor hands the request to a worker (which orders it
  // before the worker's readBody), taken by readBody.
  private @Nullable BodyRead prefetched;
  private final Response response;
  private final Callback callback;
  private final AtomicBoolean completed = new AtomicBoolean();
  // The callback of every streamed write: at most one write is in flight, so one instance serves
  // them all (a new one per piece was three objects per delivery).
  private final Callback writeDone = Callback.from(this::written, this::writeFailed);
  // guarded by this
  private boolean writing;
  private boolean notifyWhenReady;
  private @Nullable Throwable failure;
  private @Nullable HeldListener listener;
  // The Content-Length a held poll's answer declared (-1: none, a stream), and whether the write
  // that carried all of it went out as the response's last: complete() then has nothing to write.
  private long declaredLength = -1;
  private boolean lastWritten;

  JettyCoreExchange(Request request, Response response, Callback callback) {
    this.request = request;
    this.response = response;
    this.callback = callback;
  }

  // The request view.

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String protocol() {
    return request.getConnectionMetaData().getProtocol();
  }

  @Override
  public String path() {
    String raw = request.getHttpURI().getPath();
    if (raw == null) {
      return "";
    }
    String context = contextPath();
    return !context.isEmpty() && raw.startsWith(context) ? raw.substring(context.length()) : raw;
  }

  @Override
  public String queryString() {
    return request.getHttpURI().getQuery();
  }

  @Override
  public String header(String name) {
    return request.getHeaders().get(name);
  }

  @Override
  public List<String> headers(String name) {
    return request.getHeaders().getValuesList(name);
  }

  @Override
  public String remoteAddress() {
    return Request.getRemoteAddr(request);
  }

  /** The peer's address as Jetty holds it: no text to format and parse back. */
  @Override
  public @Nullable InetAddress remoteInetAddress() {
    return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress a
            && !a.isUnresolved()
        ? a.getAddress()
        : null;
  }

  @Override
  public Object attribute(String name) {
    return request.getAttribute(name);
  }

  @Override
  public String contextPath() {
    String context = Request.getContextPath(request);
    return context == null || context.equals("/") ? "" : context;
  }

  @Override
  public long contentLength() {
    return request.getLength();
  }

  @Override
  public <T> @Nullable T unwrap(Class<T> type) {
    return type.isInstance(request) ? type.cast(request) : null;
  }

  // The body.

  @Override
  public boolean canHold() {
    return true;
  }

  /**
   * Marks the thread that runs a non-blocking handler's {@code handle} (possibly Jetty's selector
   * thread), for as long as it runs it: there, {@link #mustNotBlock()} is true. Null clears it.
   * (Jetty runs a non-blocking task on its selector without tagging the thread, so {@code
   * Invocable.isNonBlockingInvocation()} cannot tell.)
   *
   * @param thread the thread, or null once {@code handle} returns
   */
  void mustNotBlockOn(@Nullable Thread thread) {
    this.nonBlockingThread = thread;
  }

  @Override
  public boolean mustNotBlock() {
    return nonBlockingThread == Thread.currentThread();
  }

  /**
   * Runs the task on a worker thread when called on the thread that must not block, else at once.
   * What has come of the request's body is read first, on this thread (see {@link #prefetchBody}).
   */
  @Override
  public void dispatch(Runnable task) {
    if (mustNotBlock()) {
      prefetchBody();
      request.getComponents().getExecutor().execute(task);
    } else {
      task.run();
    }
  }

  /**
   * Reads the request's body as far as it has come (a body of a declared length up to {@value
   * #PREFETCH_MAX_BYTES} bytes, never waiting) before the request leaves the thread that runs
   * Jetty's {@code HttpConnection.onFillable}; {@link #readBody} then starts from it. Left to the
   * worker, the body is parsed there while the I/O thread, back from the handler, may still work on
   * the same connection: the worker's answer makes Jetty consume what is left of the body (an empty
   * one too: Jetty parses a declared body, even {@code Content-Length: 0}, only when it is read),
   * and the two threads can both release the connection's request buffer — one buffer returned to
   * Jetty's pool twice (jetty/jetty.project#12939), which two connections later share. Found by
   * {@code BroadcastRouteFuzzTest}: a broadcast with {@code Content-Length: 0}, answered on a
   * worker, left Jetty's "already released" in the log, or went unanswered. A body that has not all
   * come yet is read on by the worker; a chunked body, or one declared longer, is left to the
   * worker whole, as before (reading part of a body the engine then refuses unread, 413, made a
   * fuzzed request go unanswered once).
   */
  private void prefetchBody() {
    long length = request.getLength();
    if (length < 0 || length > PREFETCH_MAX_BYTES) {
      // Chunked, or longer than the bus takes by default (413 unread): left to the worker as
      // before.
      return;
    }
    BodyRead read = new BodyRead(PREFETCH_MAX_BYTES);
    read.gather();
    prefetched = read;
  }

  @Override
  public void readBody(int max, BodySink sink) {
    BodyRead read = prefetched;
    prefetched = null;
    (read != null ? read : new BodyRead(max)).start(max, sink);
  }

  /**
   * Reads the body chunk by chunk; asks Jetty to call back when none is there yet. {@link
   * #prefetchBody} runs its first step, {@link #gather}, on the I/O thread (never waiting), {@link
   * #start} goes on from there. A body that comes in one chunk (nearly every poll and broadcast:
   * Jetty hands its bytes over, then the end as a chunk of its own) is copied once, into the array
   * the sink gets; only a body in several pieces is gathered in a stream.
   */
  private final class BodyRead implements Runnable {
    private int max;
    private @Nullable BodySink sink;
    // The first piece, as long as it is the only one.
    private byte @Nullable [] first;
    private @Nullable ByteArrayOutputStream received;
    // Set when the read is over: the end came, or a failure (the client's, or too large).
    private boolean complete;
    private @Nullable Throwable failure;

    BodyRead(int max) {
      this.max = max;
    }

    /** Hands the body to {@code sink} once read: at once when it has all come already. */
    void start(int max, BodySink sink) {
      this.max = max;
      this.sink = sink;
      if (failure == null && size() > max) {
        failure = HttpEngine.tooLarge(max);
      }
      if (complete || failure != null) {
        finish();
      } else {
        run();
      }
    }

    @Override
    public void run() {
      if (gather()) {
        finish();
      } else {
        request.demand(this);
      }
    }

    /** Reads what has come, never waiting; true when the read is over (see {@link #failure}). */
    boolean gather() {
      while (true) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          return false;
        }
        if (Content.Chunk.isFailure(chunk)) {
          failure = chunk.getFailure();
          return true;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        int n = bytes.remaining();
        if (size() + n > max) {
          chunk.release();
          failure = HttpEngine.tooLarge(max);
          return true;
        }
        append(bytes, n);
        complete = chunk.isLast();
        chunk.release();
        if (complete) {
          return true;
        }
      }
    }

    private int size() {
      ByteArrayOutputStream r = received;
      byte[] one = first;
      return r != null ? r.size() : one != null ? one.length : 0;
    }

    private void append(ByteBuffer bytes, int n) {
      ByteArrayOutputStream r = received;
      byte[] one = first;
      if (r == null && (one == null || n == 0)) {
        // The first piece, or an empty one after it (the end): no stream yet.
        if (one == null) {
          one = new byte[n];
          bytes.get(one);
          first = one;
        }
        return;
      }
      if (r == null) {
        long declared = request.getLength();
        r = new ByteArrayOutputStream(declared > 0 ? (int) Math.min(declared, max) : 256);
        r.write(Objects.requireNonNull(one), 0, one.length);
        first = null;
        received = r;
      }
      if (bytes.hasArray()) {
        r.write(bytes.array(), bytes.arrayOffset() + bytes.position(), n);
      } else {
        byte[] copy = new byte[n];
        bytes.get(copy);
        r.write(copy, 0, n);
      }
    }

    private void finish() {
      BodySink s = Objects.requireNonNull(sink);
      Throwable failed = failure;
      if (failed != null) {
        s.failed(failed);
      } else {
        ByteArrayOutputStream r = received;
        byte[] one = first;
        s.body(r != null ? r.toByteArray() : one != null ? one : new byte[0]);
      }
    }
  }

  // The response.

  @Override
  public void status(int status) {
    response.setStatus(status);
  }

  /**
   * Sets a header; a {@code Content-Type} set this way (not {@link #contentType}) is written as
   * Jetty's servlet responses write it, without spaces around {@code ;}, so both adapters send the
   * same bytes.
   */
  @Override
  public void header(String name, String value) {
    if (name.equalsIgnoreCase("Content-Type")) {
      // No regex for the common value without parameters (it was compiled on every response).
      response
          .getHeaders()
          .put(
              HttpHeader.CONTENT_TYPE,
              value.indexOf(';') < 0 ? value : PARAMETER_SPACE.matcher(value).replaceAll(";"));
    } else {
      HttpField common = commonField(name, value);
      if (common != null) {
        response.getHeaders().put(common);
      } else {
        response.getHeaders().put(name, value);
      }
    }
  }

  @Override
  public void contentType(String value) {
    HttpField common = commonField(HttpHeader.CONTENT_TYPE.asString(), value);
    if (common != null) {
      response.getHeaders().put(common);
    } else {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, value);
    }
  }

  @Override
  public void contentLength(long length) {
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    synchronized (this) {
      declaredLength = length;
    }
  }

  @Override
  public boolean isCommitted() {
    return response.isCommitted();
  }

  @Override
  public void reset() {
    response.reset();
    synchronized (this) {
      declaredLength = -1;
    }
  }

  @Override
  public void send(byte[] body) {
    if (!completed.compareAndSet(false, true)) {
      return;
    }
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  @Override
  public void prepareHold() {}

  @Override
  public void closeConnectionWhenDone() {
    StreamFraming.closeWhenDone(request);
  }

  @Override
  public boolean frameStream(boolean mayKeepAlive) {
    return StreamFraming.prepareCore(request, response, mayKeepAlive);
  }

  @Override
  public void hold(HeldListener heldListener) {
    synchronized (this) {
      this.listener = heldListener;
    }
    heldListener.onWritePossible();
  }

  @Override
  public synchronized boolean isReady() {
    if (writing) {
      notifyWhenReady = true;
      return false;
    }
    return failure == null;
  }

  /**
   * Writes the next bytes. A write that carries the whole body a held long poll's answer declared
   * with {@link #contentLength} is the response's last: one write instead of the body and then an
   * empty last write from {@link #complete} (the bytes on the wire are the same).
   */
  @Override
  public void write(byte[] bytes) throws IOException {
    boolean last;
    synchronized (this) {
      if (failure != null) {
        throw new IOException("the response failed", failure);
      }
      writing = true;
      last = !lastWritten && declaredLength == bytes.length;
      lastWritten |= last;
    }
    response.write(last, ByteBuffer.wrap(bytes), writeDone);
  }

  private void written() {
    HeldListener notify;
    synchronized (this) {
      writing = false;
      notify = notifyWhenReady ? listener : null;
      notifyWhenReady = false;
    }
    if (notify != null) {
      notify.onWritePossible();
    }
  }

  private void writeFailed(Throwable x) {
    HeldListener notify;
    synchronized (this) {
      writing = false;
      failure = x;
      notifyWhenReady = false;
      notify = listener;
    }
    if (notify != null) {
      notify.onError(x);
    }
  }

  /** Each write is sent as it is made; nothing is buffered to flush. */
  @Override
  public void flush() {}

  /** Ends the handling with success, on a kept connection as a held poll's completion. */
  private void succeed(DeadlineHttpConnectionFactory.@Nullable DeadlineConnection kept) {
    if (kept != null) {
      kept.completeHeldPoll(callback::succeeded);
    } else {
      callback.succeeded();
    }
  }

  @Override
  public void complete() {
    if (!completed.compareAndSet(false, true)) {
      return;
    }
    Throwable failed;
    boolean inFlight;
    boolean ended;
    HeldListener l;
    synchronized (this) {
      failed = failure;
      inFlight = writing;
      ended = lastWritten;
      l = listener;
    }
    if (failed != null || inFlight) {
      // The connection failed, or a write is still out (the poll was ended by a failure or the
      // client's close): abort instead of ending the body.
      callback.failed(failed != null ? failed : new IOException("held poll ended"));
      if (l != null) {
        l.onComplete();
      }
      return;
    }
    // A held poll's or stream's connection may wait for its next request without a pool thread
    // once the bus completed its response (DeadlineConnection#completeHeldPoll).
    DeadlineHttpConnectionFactory.DeadlineConnection kept =
        l != null
                && request.getConnectionMetaData().getConnection()
                    instanceof DeadlineHttpConnectionFactory.DeadlineConnection c
            ? c
            : null;
    if (ended) {
      // The answer went out whole as the last write (see write): nothing more to send.
      succeed(kept);
      if (l != null) {
        l.onComplete();
      }
      return;
    }
    // A stream: its last bytes are out (the zero chunk, framed by the bus, or Jetty's).
    response.write(
        true,
        BufferUtil.EMPTY_BUFFER,
        Callback.from(
            () -> {
              succeed(kept);
              if (l != null) {
                l.onComplete();
              }
            },
            x -> {
              callback.failed(x);
              if (l != null) {
                l.onComplete();
              }
            }));
  }

  @Override
  public DisconnectWatch watchDisconnect(Runnable onGone) {
    boolean closes = Disconnects.closes(response.getHeaders().get(HttpHeader.CONNECTION));
    Disconnects.Watch watch = Disconnects.watchCore(request, onGone, closes);
    return watch == Disconnects.NONE ? DisconnectWatch.NONE : watch::cancel;
  }
}
