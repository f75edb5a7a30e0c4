// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.messagebus.http.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bus request of a Servlet container as the engine sees it. A body that has come whole with its
 * request (nearly every one) is read at once, never waiting; one still on its way is read on with
 * Servlet non-blocking I/O after {@code startAsync} ({@link BodyReader}); a held response is
 * written with a {@link WriteListener}; the {@code Content-Type} is written byte for byte ({@link
 * ExactContentType}), a stream framed as Ruby frames it ({@link StreamFraming}), and on Jetty a
 * held poll's connection is watched for the client's close ({@link Disconnects}).
 *
 * <p>Where an answer goes: the filter's response, or once async the exchange's own (upstream
 * wrappers have returned by then and would not pass the bytes on); the headers of a held response
 * go to the filter's response, as the framing decision looks at its wrappers.
 */
final class ServletExchange implements HttpExchange, WriteListener, AsyncListener {

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusFilter.class);
  private static final AtomicBoolean WARNED_SYNC = new AtomicBoolean();

  private final HttpServletRequest req;
  private final HttpServletResponse resp;
  // Set once the request went async (to read its body or to hold it).
  private volatile @Nullable AsyncContext async;
  private volatile boolean holding;
  private final AtomicBoolean completed = new AtomicBoolean();
  private @Nullable ServletOutputStream out;
  private @Nullable HeldListener listener;

  ServletExchange(HttpServletRequest req, HttpServletResponse resp) {
    this.req = req;
    this.resp = resp;
  }

  /** The servlet request behind a view, or null when the view is not a Servlet one. */
  static @Nullable HttpServletRequest servletRequest(org.messagebus.http.HttpRequestView view) {
    return view.unwrap(HttpServletRequest.class);
  }

  private HttpServletResponse target() {
    if (holding) {
      return resp;
    }
    AsyncContext ac = async;
    return ac != null ? (HttpServletResponse) ac.getResponse() : resp;
  }

  // The request view.

  @Override
  public String method() {
    return req.getMethod();
  }

  @Override
  public String protocol() {
    return req.getProtocol();
  }

  @Override
  public String path() {
    String raw = req.getRequestURI();
    String context = req.getContextPath();
    return context != null && raw.startsWith(context) ? raw.substring(context.length()) : raw;
  }

  @Override
  public String queryString() {
    return req.getQueryString();
  }

  @Override
  public String header(String name) {
    return req.getHeader(name);
  }

  @Override
  public List<String> headers(String name) {
    Enumeration<String> values = req.getHeaders(name);
    return values == null ? List.of() : Collections.list(values);
  }

  @Override
  public String remoteAddress() {
    return req.getRemoteAddr();
  }

  @Override
  public Object attribute(String name) {
    return req.getAttribute(name);
  }

  @Override
  public String contextPath() {
    String context = req.getContextPath();
    return context == null ? "" : context;
  }

  @Override
  public long contentLength() {
    return req.getContentLengthLong();
  }

  @Override
  public <T> @Nullable T unwrap(Class<T> type) {
    return type.isInstance(req) ? type.cast(req) : null;
  }

  // The body.

  @Override
  public boolean canHold() {
    return req.isAsyncSupported();
  }

  @Override
  public void readBody(int max, BodySink sink) throws IOException {
    if (!req.isAsyncSupported()) {
      // Mounted without async support: no held polls either. Read as before, and say so once.
      if (WARNED_SYNC.compareAndSet(false, true)) {
        LOG.warn(
            "the message-bus filter is mounted without async support: request bodies are read"
                + " with blocking I/O and polls are never held; set asyncSupported=true on it and"
                + " on every filter in front of it");
      }
      byte[] body = req.getInputStream().readNBytes(max + 1);
      if (body.length > max) {
        sink.failed(BodyReader.tooLarge(max));
        return;
      }
      sink.body(body);
      return;
    }
    ServletInputStream in = req.getInputStream();
    long declared = req.getContentLengthLong();
    if (declared < 0 || declared > max) {
      // Chunked, or declared longer than allowed (refused once max bytes are in): read async.
      startAsync();
      BodyReader.start(in, max, declared, sink, new byte[0], 0);
      return;
    }
    byte[] body = new byte[(int) declared];
    int got = readAvailable(in, body);
    // Once the declared length is in, the end is known without the client: read it here, so
    // that the container's parser reaches the end of the request on this thread.
    if (got == body.length) {
      if (in.read() < 0) {
        sink.body(body);
      } else {
        // The container ends a body at its declared length; should one not, say so.
        sink.failed(new IOException("the request body is longer than its Content-Length"));
      }
      return;
    }
    startAsync();
    BodyReader.start(in, max, declared, sink, body, got);
  }

  /**
   * Reads into {@code body} what has come of it, never waiting ({@code available()} bytes at a
   * time): nearly every poll and broadcast arrives whole with its headers, and is then read with no
   * {@code startAsync} and no {@code ReadListener} round; a body still on its way is read on by
   * {@link BodyReader}. Returns the number of bytes read.
   */
  private static int readAvailable(ServletInputStream in, byte[] body) throws IOException {
    int got = 0;
    while (got < body.length) {
      int ready = in.available();
      if (ready <= 0) {
        break;
      }
      int n = in.read(body, got, Math.min(ready, body.length - got));
      if (n < 0) {
        break;
      }
      got += n;
    }
    return got;
  }

  private AsyncContext startAsync() {
    AsyncContext ac = async;
    if (ac == null) {
      ac = req.startAsync();
      ac.setTimeout(0); // held polls have their own timeout; the body read has the container's
      async = ac;
    }
    return ac;
  }

  // The response.

  @Override
  public void status(int status) {
    target().setStatus(status);
  }

  @Override
  public void header(String name, String value) {
    if (name.equalsIgnoreCase("Content-Type")) {
      target().setContentType(value);
    } else {
      target().setHeader(name, value);
    }
  }

  @Override
  public void contentType(String value) {
    ExactContentType.set(req, target(), value);
  }

  @Override
  public void contentLength(long length) {
    target().setContentLengthLong(length);
  }

  @Override
  public boolean isCommitted() {
    return target().isCommitted();
  }

  @Override
  public void reset() {
    target().reset();
  }

  @Override
  public void send(byte[] body) throws IOException {
    HttpServletResponse r = target();
    r.setContentLength(body.length);
    r.getOutputStream().write(body);
    complete();
  }

  @Override
  public void prepareHold() {
    holding = true;
  }

  @Override
  public void closeConnectionWhenDone() {
    Object core = JettyRequests.coreRequest(req);
    if (core != null) {
      StreamFraming.closeWhenDone(core);
    }
  }

  @Override
  public boolean frameStream(boolean mayKeepAlive) {
    return StreamFraming.prepare(req, resp, mayKeepAlive);
  }

  @Override
  public void hold(HeldListener heldListener) throws IOException {
    AsyncContext ac = startAsync();
    this.listener = heldListener;
    ac.addListener(this);
    out = ac.getResponse().getOutputStream();
    out.setWriteListener(this);
  }

  @Override
  public boolean isReady() {
    return heldOut().isReady();
  }

  @Override
  public void write(byte[] bytes) throws IOException {
    heldOut().write(bytes);
  }

  @Override
  public void flush() throws IOException {
    heldOut().flush();
  }

  @Override
  public void complete() {
    AsyncContext ac = async;
    if (ac != null && completed.compareAndSet(false, true)) {
      try {
        ac.complete();
      } catch (IllegalStateException alreadyCompleted) {
        // completed by the container
      }
    }
  }

  @Override
  public DisconnectWatch watchDisconnect(Runnable onGone) {
    Disconnects.Watch watch = Disconnects.watch(req, resp, onGone);
    return watch == Disconnects.NONE ? DisconnectWatch.NONE : watch::cancel;
  }

  // The engine writes only to a held response, and the container calls back only once hold()
  // registered this exchange: both run after hold() set these.
  private ServletOutputStream heldOut() {
    return Objects.requireNonNull(out, "write before hold()");
  }

  private HeldListener heldListener() {
    return Objects.requireNonNull(listener, "container callback before hold()");
  }

  // Container callbacks of a held response.

  @Override
  public void onWritePossible() {
    heldListener().onWritePossible();
  }

  @Override
  public void onError(Throwable t) {
    heldListener().onError(t);
  }

  @Override
  public void onComplete(AsyncEvent event) {
    completed.set(true);
    heldListener().onComplete();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    complete();
  }

  @Override
  public void onError(AsyncEvent event) {
    heldListener()
        .onError(
            event.getThrowable() == null ? new IOException("async error") : event.getThrowable());
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}
}
