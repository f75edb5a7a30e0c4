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
import org.messagebus.MessageBus;
import org.messagebus.http.HttpEngine;

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
 * <p>The filter subscribes to the bus when constructed (unless the bus is off) and unsubscribes in
 * {@link #close()} / {@link #destroy()}, which also answer every held poll.
 */
public final class MessageBusFilter implements Filter, AutoCloseable {

  private final HttpEngine engine;

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

  /** Stops listening to the bus and answers every held poll. Idempotent. */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public void destroy() {
    close();
  }
}
