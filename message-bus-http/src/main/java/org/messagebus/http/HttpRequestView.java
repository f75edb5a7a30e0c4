// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.net.InetAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the engine and the identity lookups may read of an HTTP request, whatever carries it (a
 * Servlet container, Jetty's core API, a test). The body is not part of the view: the engine reads
 * it through {@link HttpExchange#readBody}, after the lookups ran.
 *
 * <p>The lookups run on the thread that received the request, so they may read thread-bound state
 * (a security context).
 */
public interface HttpRequestView {

  /**
   * Returns the request method.
   *
   * @return e.g. {@code GET}, {@code POST}, {@code OPTIONS}
   */
  String method();

  /**
   * Returns the protocol of the request line.
   *
   * @return e.g. {@code HTTP/1.1}
   */
  String protocol();

  /**
   * Returns the path of the request within the web application (after {@link #contextPath()}), as
   * sent: still percent-encoded, not normalised.
   *
   * @return e.g. {@code /message-bus/abc/poll}
   */
  String path();

  /**
   * Returns the raw (still percent-encoded) query string.
   *
   * @return the query without {@code ?}, or null when there is none
   */
  @Nullable String queryString();

  /**
   * Returns the first value of a header.
   *
   * @param name the header name, in any case
   * @return the value, or null when absent
   */
  @Nullable String header(String name);

  /**
   * Returns every value of a header, in the order received.
   *
   * @param name the header name, in any case
   * @return the values, empty when absent
   */
  List<String> headers(String name);

  /**
   * Returns the address of the TCP peer.
   *
   * @return an IP literal (the peer may be a proxy)
   */
  String remoteAddress();

  /**
   * Returns the address of the TCP peer as the transport holds it, so that the engine need not
   * parse {@link #remoteAddress()} back into one (per poll, for the held-poll limits); null when
   * the transport has none at hand, and then {@link #remoteAddress()} is read.
   *
   * @return the peer's address, or null
   */
  default @Nullable InetAddress remoteInetAddress() {
    return null;
  }

  /**
   * Returns a request attribute set upstream (Servlet request attributes; none elsewhere).
   *
   * @param name the attribute name
   * @return the value, or null
   */
  @Nullable Object attribute(String name);

  /**
   * Returns the path prefix of the web application the bus is mounted in.
   *
   * @return {@code ""} at the root, else e.g. {@code /app}
   */
  String contextPath();

  /**
   * Returns the declared length of the body.
   *
   * @return the {@code Content-Length}, or -1 when unknown (chunked or absent)
   */
  long contentLength();

  /**
   * Returns the object of the transport behind this view (an {@code HttpServletRequest}, a Jetty
   * core {@code Request}), for lookups written against that API.
   *
   * @param type the expected type
   * @param <T> the type
   * @return the transport's request, or null when it is not of that type
   */
  <T> @Nullable T unwrap(Class<T> type);
}
