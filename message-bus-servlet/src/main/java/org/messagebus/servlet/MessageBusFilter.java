// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.http.HttpEngine;
import org.messagebus.http.WebSocketEndpoint;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.http.WebSocketSession;
import org.messagebus.spi.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message_bus HTTP subscriber endpoint (SPEC §4–5) as an async-supported Jakarta Servlet
 * filter: mount it on {@code /*} (after authentication filters, so the lookups can see the user)
 * with {@code asyncSupported=true}. Requests under {@code <baseRoute>message-bus/} are answered
 * here; every other request passes through untouched. The filter never creates an HTTP session.
 *
 * <pre>{@code
 * MessageBusFilter filter = new MessageBusFilter(bus, HttpTransportOptions.builder()
 *     .userIdLookup(req -> currentUserId(req))
 *     .build());
 * FilterRegistration.Dynamic reg = servletContext.addFilter("message-bus", filter);
 * reg.setAsyncSupported(true);
 * reg.addMappingForUrlPatterns(null, false, "/*");
 * }</pre>
 *
 * <p>A poll with something to say is answered at once. Otherwise it is held without a thread
 * (Servlet async with non-blocking output) until a permitted message arrives, the long-polling
 * interval passes (answered {@code []}), or a newer poll of the same client replaces it; with
 * streaming, every message is sent as it arrives until the interval passes. Request bodies are read
 * with non-blocking I/O after {@code startAsync}, so a slow client holds no thread (the lookups run
 * first, on the request thread). Held polls are capped per identity (user, else client address):
 * past the cap a poll gets 429. Bad input gets a 4xx status with a one-line reason, never a 500,
 * and is logged at DEBUG at most (every failure is mapped in one place).
 *
 * <p>The filter is the Servlet adapter of {@link HttpEngine} (module {@code message-bus-http}),
 * which holds every rule of the endpoint; the filter translates requests ({@link ServletExchange}).
 *
 * <p>Routing follows the container: a request is the bus's when its normalised path (servlet path
 * and path info) is under the route; its raw path must then be plain (no dot or empty segments,
 * path parameters, or encoded dots and slashes), else 400.
 *
 * <p><b>WebSocket.</b> Created with {@link WebSocketOptions}, the filter also opens sockets at
 * {@code <baseRoute>message-bus/<clientId>/ws} (protocol: docs/http.md, "WebSocket") in any
 * container that offers Jakarta WebSocket 2.1 (it publishes a {@code
 * jakarta.websocket.server.ServerContainer} in the servlet context: Tomcat 10.1+, Jetty ee10 with
 * its Jakarta WebSocket module): the upgrade is admitted here, after the filters before this one
 * and with the same lookups as polls, then handed to the container's {@code
 * upgradeHttpToWebSocket}. Without such a container (or without the Jakarta WebSocket API on the
 * class path) an upgrade gets 501 and the client polls. A socket path requested without an upgrade
 * (a proxy dropped the {@code Upgrade} header) gets 426 at once, never a held poll.
 *
 * <p>The filter subscribes to the bus when constructed (unless the bus is off) and unsubscribes in
 * {@link #close()} / {@link #destroy()}, which also answer every held poll and close every socket.
 */
public final class MessageBusFilter implements Filter, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusFilter.class);

  /** Threads for Jakarta WebSocket's blocking pings and closes (see {@link JakartaWebSockets}). */
  private static final int WEBSOCKET_CALL_THREADS = 2;

  private final HttpEngine engine;
  private final @Nullable WebSocketEndpoint webSockets;
  // Runs the blocking calls of Jakarta WebSocket (pings, closes); null without WebSocket.
  private final @Nullable ExecutorService webSocketCalls;

  /**
   * Creates the endpoint with default options.
   *
   * @param bus the bus to serve
   */
  public MessageBusFilter(MessageBus bus) {
    this(bus, HttpTransportOptions.defaults());
  }

  /**
   * Creates the endpoint.
   *
   * @param bus the bus to serve
   * @param options routes, modes, lookups and limits
   */
  public MessageBusFilter(MessageBus bus, HttpTransportOptions options) {
    this.engine = new HttpEngine(bus, options.toEngineOptions());
    this.webSockets = null;
    this.webSocketCalls = null;
  }

  /**
   * Creates the endpoint with WebSocket: sockets at {@code <baseRoute>message-bus/<clientId>/ws}
   * beside the polls, in a container that offers Jakarta WebSocket (see the class comment).
   *
   * @param bus the bus to serve
   * @param options routes, modes, lookups and limits (the lookups also run on upgrade requests)
   * @param webSocket the WebSocket options, e.g. {@link WebSocketOptions#defaults()}
   */
  public MessageBusFilter(
      MessageBus bus, HttpTransportOptions options, WebSocketOptions webSocket) {
    Objects.requireNonNull(webSocket, "webSocket");
    this.engine = new HttpEngine(bus, options.toEngineOptions());
    this.webSockets = new WebSocketEndpoint(engine, webSocket);
    this.webSocketCalls =
        Executors.newFixedThreadPool(
            WEBSOCKET_CALL_THREADS, DaemonThreads.factory("message-bus-ws-close"));
  }

  /**
   * Tells whether the filter listens to the bus (false when the bus was off at construction).
   *
   * @return true when live messages reach held polls
   */
  public boolean isListening() {
    return engine.isListening();
  }

  /**
   * Returns the number of polls held right now.
   *
   * @return the count
   */
  public int heldPolls() {
    return engine.heldPolls();
  }

  /** A filter over an engine that another adapter serves (for {@link MessageBusServer#filter}). */
  MessageBusFilter(HttpEngine engine) {
    this.engine = engine;
    this.webSockets = null;
    this.webSocketCalls = null;
  }

  /**
   * Returns the WebSocket endpoint, when the filter was created with {@link WebSocketOptions}.
   *
   * @return the endpoint (its {@link WebSocketEndpoint#connections()} and {@link
   *     WebSocketEndpoint#slowConsumersClosed()} tell what it does), or null
   */
  public @Nullable WebSocketEndpoint webSockets() {
    return webSockets;
  }

  /**
   * Returns the engine this filter adapts, for what the filter does not expose itself, such as
   * {@link HttpEngine#observe} (metrics).
   *
   * @return the engine
   */
  public HttpEngine engine() {
    return engine;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest req)
        || !(response instanceof HttpServletResponse resp)) {
      chain.doFilter(request, response);
      return;
    }
    ServletExchange exchange = new ServletExchange(req, resp);
    if (webSockets != null && webSocket(exchange, req, resp)) {
      return;
    }
    String raw = exchange.path();
    String normalized;
    try {
      String info = req.getPathInfo();
      normalized = req.getServletPath() + (info == null ? "" : info);
    } catch (RuntimeException ambiguous) {
      normalized = null; // the container refuses to decode an ambiguous path: judge the raw one
    }
    if (!engine.handle(exchange, raw, normalized)) {
      chain.doFilter(request, response);
    }
  }

  /**
   * Upgrades a WebSocket request to the endpoint when the container can; false when the request is
   * not one (or the container cannot upgrade it): the engine then answers it.
   */
  private boolean webSocket(
      ServletExchange exchange, HttpServletRequest req, HttpServletResponse resp)
      throws IOException {
    WebSocketEndpoint endpoint = Objects.requireNonNull(webSockets);
    String upgrade = req.getHeader("Upgrade");
    if (!"GET".equals(req.getMethod())
        || upgrade == null
        || !upgrade.trim().equalsIgnoreCase("websocket")
        || !endpoint.matches(exchange.path())) {
      return false;
    }
    Object container = req.getServletContext().getAttribute(JakartaWebSockets.SERVER_CONTAINER);
    if (container == null) {
      return false; // 501 from the engine: no Jakarta WebSocket here
    }
    WebSocketEndpoint.Admission admission = endpoint.admit(exchange);
    WebSocketSession session = admission.session();
    if (session == null) {
      resp.setStatus(admission.status());
      resp.setContentType("text/plain; charset=utf-8");
      admission.headers().forEach(resp::setHeader);
      resp.getOutputStream().write(admission.reason().getBytes(StandardCharsets.UTF_8));
      return true;
    }
    try {
      JakartaWebSockets.upgrade(
          container, endpoint, session, Objects.requireNonNull(webSocketCalls), req, resp);
    } catch (IOException e) {
      if (!resp.isCommitted()) {
        resp.reset();
        resp.setStatus(400);
        resp.setContentType("text/plain; charset=utf-8");
        resp.getOutputStream()
            .write("WebSocket upgrade refused by the container".getBytes(StandardCharsets.UTF_8));
      }
      LOG.debug("WebSocket upgrade of {} failed: {}", session.clientId(), e.toString());
    }
    return true;
  }

  /** Stops listening to the bus, answers every held poll and closes every socket. Idempotent. */
  @Override
  public void close() {
    if (webSockets != null) {
      webSockets.close();
    }
    engine.close();
    if (webSocketCalls != null) {
      webSocketCalls.shutdown();
    }
  }

  @Override
  public void destroy() {
    close();
  }
}
