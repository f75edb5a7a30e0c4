// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that the client of a held poll closed its connection, where the container allows it. The
 * Servlet API has no such event, and a container that reads nothing from a connection whose request
 * body is complete learns of the close only when it next writes (a live message, or the {@code []}
 * at the interval).
 *
 * <p><b>Jetty 12</b> (ee10, ee11), HTTP/1.x: once the request has been parsed completely, the
 * filter asks the connection's endpoint to call it when the socket becomes readable. End of input
 * (the client's FIN) or a failure ends the poll at once. Bytes a client sends while its poll is
 * held are read: when the response closes its connection ({@code Connection: close}: streams, and
 * long polls with {@code closeHeldPollConnections}) they are dropped, as the connection carries no
 * further request; when the connection stays open for the next request, they are a request sent
 * ahead of the reply (HTTP pipelining, which browsers and {@code java.net.http} do not do) that
 * cannot be handed back to Jetty, so the connection is closed and the poll ends (the client polls
 * again from its last message). The watch is cancelled before the response completes, so Jetty
 * finds no foreign read pending on the endpoint. A body declared empty ({@code Content-Length: 0}
 * on a GET, as {@code java.net.http} before JDK 19 sends it) is read to its end first, since Jetty
 * parses it only when read. Skipped (the poll ends at the next write or the interval, as before)
 * when another request body was not read to its end, for HTTP/2, or when Jetty's internals differ
 * from the ones this was written against.
 *
 * <p><b>Other containers</b>: no watch. Tomcat 11 (NIO) does not read from a connection while an
 * async request whose body is complete waits, so a vanished client is found at the next write
 * (checked by hand: a held poll stayed registered after the client's FIN until a message was
 * published to it).
 */
final class Disconnects {

  private static final Logger LOG = LoggerFactory.getLogger(Disconnects.class);
  private static final AtomicBoolean NOTED = new AtomicBoolean();

  /** A running watch. */
  interface Watch {
    /** Stops watching, before the response completes. Idempotent. */
    void cancel();
  }

  /** The watch of a request that cannot be watched. */
  static final Watch NONE = () -> {};

  private Disconnects() {}

  /**
   * Starts watching the connection of a held poll; {@code onGone} runs (once, on a container
   * thread) when the client closes it. Returns {@link #NONE} where that cannot be noticed.
   */
  static Watch watch(HttpServletRequest req, HttpServletResponse resp, Runnable onGone) {
    Object core = JettyRequests.coreRequest(req);
    if (core == null) {
      return NONE;
    }
    return start(core, onGone, closes(resp.getHeader("Connection")));
  }

  /**
   * Starts watching the connection of a held poll of Jetty's core API; as {@link #watch}.
   *
   * @param closes whether the response says {@code Connection: close}
   */
  static Watch watchCore(
      org.eclipse.jetty.server.Request request, Runnable onGone, boolean closes) {
    return start(request, onGone, closes);
  }

  private static Watch start(Object coreRequest, Runnable onGone, boolean closes) {
    try {
      return JettyWatch.start(coreRequest, onGone, closes);
    } catch (RuntimeException | LinkageError e) {
      if (NOTED.compareAndSet(false, true)) {
        LOG.info(
            "cannot watch held polls for a closed connection on this Jetty ({}); a vanished client"
                + " is noticed at the next write",
            e.toString());
      }
      return NONE;
    }
  }

  /** Whether a {@code Connection} header value closes the connection. */
  static boolean closes(String connection) {
    return connection != null && connection.equalsIgnoreCase("close");
  }

  /** Loaded only once a Jetty request was found, so Jetty's classes are present. */
  private static final class JettyWatch implements org.eclipse.jetty.util.Callback, Watch {

    // a marker compared by identity (never thrown to anyone), so one shared instance is right
    @SuppressWarnings("StaticAssignmentOfThrowable")
    private static final CancellationException CANCELLED =
        new CancellationException("held poll ended");

    private final org.eclipse.jetty.io.AbstractEndPoint endPoint;
    private final Runnable onGone;
    // whether the response closes the connection, so bytes read meanwhile are nobody's
    private final boolean closes;
    // guarded by this
    private boolean cancelled;
    private boolean gone;
    // whether our callback is the endpoint's fill interest
    private boolean registered;

    private JettyWatch(
        org.eclipse.jetty.io.AbstractEndPoint endPoint, Runnable onGone, boolean closes) {
      this.endPoint = endPoint;
      this.onGone = onGone;
      this.closes = closes;
    }

    static Watch start(Object coreRequest, Runnable onGone, boolean closes) {
      org.eclipse.jetty.server.Request request = (org.eclipse.jetty.server.Request) coreRequest;
      org.eclipse.jetty.http.HttpVersion version = request.getConnectionMetaData().getHttpVersion();
      if (version != org.eclipse.jetty.http.HttpVersion.HTTP_1_1
          && version != org.eclipse.jetty.http.HttpVersion.HTTP_1_0) {
        return NONE;
      }
      org.eclipse.jetty.io.Connection connection = request.getConnectionMetaData().getConnection();
      // The parser has the whole request: what the socket holds from now on is not this
      // request's body.
      if (!(connection instanceof org.eclipse.jetty.server.internal.HttpConnection http)
          || !(http.getParser().isComplete() || emptyBodyRead(request, http))
          || !(connection.getEndPoint() instanceof org.eclipse.jetty.io.AbstractEndPoint ep)
          || ep.getConnection() != connection) {
        return NONE;
      }
      JettyWatch watch = new JettyWatch(ep, onGone, closes);
      synchronized (watch) {
        watch.registered = ep.tryFillInterested(watch);
        if (!watch.registered) {
          return NONE; // someone else reads from this endpoint
        }
      }
      return watch;
    }

    /**
     * Reads the end of a body declared empty ({@code Content-Length: 0}, which {@code
     * java.net.http} before JDK 19 sends with every GET, an event stream's included): Jetty parses
     * a declared body, even an empty one, only when it is read, and nothing reads a GET's. The read
     * never waits: when Jetty has nothing yet, nothing is watched, as before. Returns whether the
     * parser now has the whole request.
     */
    private static boolean emptyBodyRead(
        org.eclipse.jetty.server.Request request,
        org.eclipse.jetty.server.internal.HttpConnection http) {
      if (request.getLength() != 0) {
        return false; // a body of unknown length or not read yet: not this watch's to read
      }
      org.eclipse.jetty.io.Content.Chunk chunk = request.read();
      if (chunk == null) {
        return false;
      }
      boolean end =
          !org.eclipse.jetty.io.Content.Chunk.isFailure(chunk)
              && chunk.isLast()
              && !chunk.hasRemaining();
      chunk.release();
      return end && http.getParser().isComplete();
    }

    @Override
    public void succeeded() {
      boolean closed = false;
      synchronized (this) {
        registered = false;
        if (cancelled || gone) {
          return;
        }
        try {
          ByteBuffer buffer = org.eclipse.jetty.util.BufferUtil.allocate(512);
          int n;
          do {
            org.eclipse.jetty.util.BufferUtil.clear(buffer);
            n = endPoint.fill(buffer);
          } while (n > 0 && closes);
          if (n > 0) {
            // A request sent ahead on a connection kept open: it cannot be handed back to Jetty.
            endPoint.close();
            closed = true;
          } else if (n < 0) {
            closed = true;
          } else {
            // false: someone else reads from the endpoint now; stop watching
            registered = endPoint.tryFillInterested(this);
          }
        } catch (java.io.IOException | RuntimeException e) {
          closed = true;
        }
        gone = closed;
      }
      if (closed) {
        onGone.run();
      }
    }

    @Override
    public void failed(Throwable x) {
      synchronized (this) {
        registered = false;
        if (x == CANCELLED || cancelled || gone) {
          return;
        }
        gone = true;
      }
      onGone.run();
    }

    @Override
    public synchronized void cancel() {
      if (!cancelled) {
        cancelled = true;
        if (registered) {
          registered = false;
          endPoint.getFillInterest().onFail(CANCELLED);
        }
      }
    }

    @Override
    public org.eclipse.jetty.util.thread.Invocable.InvocationType getInvocationType() {
      return org.eclipse.jetty.util.thread.Invocable.InvocationType.BLOCKING;
    }
  }
}
