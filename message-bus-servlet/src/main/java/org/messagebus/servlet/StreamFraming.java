// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk framing of a streamed response (SPEC §4.7, §4.12). Ruby's server writes each piece as
 * one complete chunk — size line, data, CRLF — and the gem's own {@code MessageBus::HTTPClient}
 * handles one piece per read, so two pieces in one read leave it a message behind. Containers frame
 * differently:
 *
 * <ul>
 *   <li>Jetty 12 delimits a body by closing the connection, without chunks, when the request says
 *       {@code Connection: close} (the Ruby client says so on every poll); and when it chunks, it
 *       sends a chunk's closing CRLF only with the next chunk, so a reader that takes a chunk once
 *       it is complete waits for the next piece. Here the filter frames the stream itself, as Ruby
 *       does: {@code Transfer-Encoding: chunked} written as given into the core response's fields
 *       (Jetty then sends the body as is), and every piece written as one complete chunk. Jetty
 *       delimits such a body by closing the connection, so the response says {@code Connection:
 *       close} — except on a connection of {@link DeadlineHttpConnectionFactory} (which {@link
 *       MessageBusServer} and the Spring Boot starter's Jetty serve with) when the request allows
 *       keep-alive and the bus may keep it ({@code closeHeldPollConnections} off): that connection
 *       carries the client's next poll once the stream's zero chunk has ended it ({@link
 *       DeadlineHttpConnectionFactory.DeadlineConnection#keepFramedStreamAlive}), so a browser does
 *       not open a new connection (in production a TLS handshake) every long-polling interval. Only
 *       when nothing stands between the filter and the connection (no response wrapper of a filter
 *       or handler, which could transform the body, e.g. compress it); otherwise Jetty is asked to
 *       chunk (the header set through the servlet API is its chunking hint, honoured on any
 *       HTTP/1.1 response).
 *   <li>Tomcat 11 chunks every HTTP/1.1 stream, also for a {@code Connection: close} request, and
 *       writes each chunk whole: nothing to do (checked by hand; a {@code Connection: close}
 *       response header would make it drop the chunks).
 *   <li>Other containers frame as they do.
 * </ul>
 */
final class StreamFraming {

  private static final Logger LOG = LoggerFactory.getLogger(StreamFraming.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private StreamFraming() {}

  /**
   * Sets the framing headers of a streamed HTTP/1.1 response before anything is written. Returns
   * true when the filter writes the chunk framing itself ({@link Wire#chunk}), false when the
   * container does.
   */
  static boolean prepare(HttpServletRequest req, HttpServletResponse resp, boolean mayKeepAlive) {
    Object core = JettyRequests.coreRequest(req);
    if (core == null) {
      return false;
    }
    try {
      return JettyCore.prepare(core, resp, mayKeepAlive);
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      if (WARNED.compareAndSet(false, true)) {
        LOG.warn(
            "cannot frame streamed responses on this Jetty ({}); Jetty frames them", e.toString());
      }
      return false;
    }
  }

  /**
   * The same for a response of Jetty's core API: framed here when nothing wraps the channel's
   * response, else Jetty is asked to chunk.
   */
  static boolean prepareCore(
      org.eclipse.jetty.server.Request request,
      org.eclipse.jetty.server.Response response,
      boolean mayKeepAlive) {
    if (request.getConnectionMetaData().getHttpVersion()
        != org.eclipse.jetty.http.HttpVersion.HTTP_1_1) {
      return false;
    }
    org.eclipse.jetty.http.HttpFields.Mutable fields = response.getHeaders();
    if (response instanceof org.eclipse.jetty.server.Response.Wrapper) {
      fields.put(org.eclipse.jetty.http.HttpHeader.CONNECTION, "close");
      fields.put(org.eclipse.jetty.http.HttpHeader.TRANSFER_ENCODING, "chunked");
      return false;
    }
    return JettyCore.frame(
        request,
        fields,
        mayKeepAlive,
        () -> fields.put(org.eclipse.jetty.http.HttpHeader.CONNECTION, "close"),
        () -> fields.put(org.eclipse.jetty.http.HttpHeader.TRANSFER_ENCODING, "chunked"));
  }

  /**
   * Closes the request's connection once its response has ended, where {@link #prepare} or {@link
   * #prepareCore} kept it (a {@link DeadlineHttpConnectionFactory} connection); other connections
   * are left as they are.
   */
  static void closeWhenDone(Object coreRequest) {
    if (coreRequest instanceof org.eclipse.jetty.server.Request request
        && request.getConnectionMetaData().getConnection()
            instanceof DeadlineHttpConnectionFactory.DeadlineConnection c) {
      c.closeWhenDone();
    }
  }

  /** Loaded only once a Jetty request was found, so Jetty's core classes are present. */
  private static final class JettyCore {
    private static final String TRANSFER_ENCODING = "Transfer-Encoding";

    static boolean prepare(Object coreRequest, HttpServletResponse resp, boolean mayKeepAlive)
        throws ReflectiveOperationException {
      org.eclipse.jetty.server.Request request = (org.eclipse.jetty.server.Request) coreRequest;
      if (request.getConnectionMetaData().getHttpVersion()
          != org.eclipse.jetty.http.HttpVersion.HTTP_1_1) {
        return false;
      }
      org.eclipse.jetty.server.Response response =
          (org.eclipse.jetty.server.Response) JettyRequests.coreResponse(coreRequest);
      org.eclipse.jetty.server.Response channel =
          response instanceof org.eclipse.jetty.server.Response.Wrapper w ? w.getWrapped() : null;
      if (resp instanceof ServletResponseWrapper
          || channel == null
          || channel instanceof org.eclipse.jetty.server.Response.Wrapper) {
        resp.setHeader("Connection", "close");
        resp.setHeader(TRANSFER_ENCODING, "chunked");
        return false;
      }
      return frame(
          request,
          channel.getHeaders(),
          mayKeepAlive,
          () -> resp.setHeader("Connection", "close"),
          () -> resp.setHeader(TRANSFER_ENCODING, "chunked"));
    }

    /**
     * Frames the stream here ({@code Transfer-Encoding: chunked} put raw into the channel's {@code
     * fields}; true) or, if Jetty took that field for its own, asks Jetty to chunk ({@code chunk};
     * false). The response says {@code Connection: close} ({@code sayClose}) unless the connection
     * is kept for the next request: only a stream framed here on a {@link
     * DeadlineHttpConnectionFactory} connection that Jetty would keep, when {@code mayKeepAlive}.
     */
    static boolean frame(
        org.eclipse.jetty.server.Request request,
        org.eclipse.jetty.http.HttpFields.Mutable fields,
        boolean mayKeepAlive,
        Runnable sayClose,
        Runnable chunk) {
      DeadlineHttpConnectionFactory.DeadlineConnection kept =
          mayKeepAlive ? keepAliveConnection(request) : null;
      if (kept == null) {
        sayClose.run();
      }
      if (rawChunked(fields)) {
        if (kept != null) {
          kept.keepFramedStreamAlive();
        }
        return true;
      }
      if (kept != null) {
        sayClose.run();
      }
      chunk.run();
      return false;
    }

    /**
     * The request's connection when it is one of {@link DeadlineHttpConnectionFactory} and Jetty
     * would keep it after this response (an HTTP/1.1 request that did not say {@code Connection:
     * close}); null otherwise.
     */
    static DeadlineHttpConnectionFactory.@Nullable DeadlineConnection keepAliveConnection(
        org.eclipse.jetty.server.Request request) {
      return request.getConnectionMetaData().getConnection()
                  instanceof DeadlineHttpConnectionFactory.DeadlineConnection c
              && c.getGenerator().isPersistent()
          ? c
          : null;
    }

    /**
     * Puts {@code Transfer-Encoding: chunked} as a field without a known header, so that Jetty
     * sends it verbatim and the body as written (as {@code TRANSFER_ENCODING} it would make Jetty
     * chunk the body itself). False, with nothing put, if Jetty took it for the known header.
     */
    static boolean rawChunked(org.eclipse.jetty.http.HttpFields.Mutable fields) {
      fields.put(
          new org.eclipse.jetty.http.HttpField(
              (org.eclipse.jetty.http.HttpHeader) null, TRANSFER_ENCODING, "chunked"));
      org.eclipse.jetty.http.HttpField set = fields.getField(TRANSFER_ENCODING);
      if (set == null || set.getHeader() != null) {
        fields.remove(TRANSFER_ENCODING);
        return false;
      }
      return true;
    }
  }
}
