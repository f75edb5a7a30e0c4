// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Drains this node's HTTP endpoint, for a rolling deploy: {@link #drain()} makes every new request
 * to the endpoint get {@code 503} with {@code Retry-After} ({@code
 * message-bus.http.drain-retry-after}, 5 s by default) and {@code Connection: close}, then answers
 * every held poll at once with what it has, and marks the application {@link
 * ReadinessState#REFUSING_TRAFFIC} (so the readiness probe takes the node out of the load
 * balancer). Clients keep their last ids and poll again, through the load balancer, on another
 * node: with a shared backend (Redis, PostgreSQL) that node answers from the backlog, so nothing is
 * lost. Answered polls come back spread over the clients' own poll intervals, and refused ones wait
 * (the stock JavaScript client waits its {@code callbackInterval}, 15 s, after a failed poll,
 * longer after three), so the other nodes see no reconnect storm.
 *
 * <p>The starter drains when the application context closes, before the web server's graceful
 * shutdown waits for active requests (a held poll is one for up to the long-polling interval). An
 * application may also drain earlier, e.g. from an administrative endpoint or a pre-stop hook, by
 * calling {@link #drain()} on this bean. Draining is one way: the endpoint does not serve again
 * until the application restarts.
 *
 * <p>It is a servlet filter mapped to the endpoint's route just before {@link MessageBusFilter}; it
 * passes every request on while the node is not draining. Replies keep the extra response headers
 * (CORS) of the endpoint's options.
 */
public final class MessageBusDrain implements Filter {

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusDrain.class);

  private final MessageBusFilter filter;
  private final HttpTransportOptions options;
  private final Duration retryAfter;
  private final ApplicationEventPublisher events;
  private volatile boolean draining;

  MessageBusDrain(
      MessageBusFilter filter,
      HttpTransportOptions options,
      Duration retryAfter,
      ApplicationEventPublisher events) {
    if (retryAfter.toSeconds() < 1 || retryAfter.toNanosPart() != 0) {
      throw new IllegalArgumentException(
          "drainRetryAfter must be a whole number of seconds, at least 1: " + retryAfter);
    }
    this.filter = filter;
    this.options = options;
    this.retryAfter = retryAfter;
    this.events = events;
  }

  /**
   * Starts draining: new polls get 503 with {@code Retry-After} from now on, every held poll is
   * answered at once, and the application's readiness becomes {@link
   * ReadinessState#REFUSING_TRAFFIC}. Idempotent.
   */
  public void drain() {
    synchronized (this) {
      if (draining) {
        return;
      }
      draining = true;
    }
    int held = filter.heldPolls();
    filter.close();
    LOG.info(
        "MessageBus draining: answered {} held poll(s); new polls get 503 with Retry-After: {}",
        held,
        retryAfter.toSeconds());
    if (events != null) {
      AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
    }
  }

  /**
   * Tells whether {@link #drain()} was called.
   *
   * @return true once draining
   */
  public boolean isDraining() {
    return draining;
  }

  /**
   * Returns the {@code Retry-After} of the 503 answered while draining.
   *
   * @return whole seconds
   */
  public Duration retryAfter() {
    return retryAfter;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!draining
        || !(request instanceof HttpServletRequest req)
        || !(response instanceof HttpServletResponse resp)) {
      chain.doFilter(request, response);
      return;
    }
    Map<String, String> extra = Map.of();
    if (options.extraResponseHeadersLookup() != null) {
      try {
        Map<String, String> looked = options.extraResponseHeadersLookup().apply(req);
        extra = looked == null ? Map.of() : looked;
      } catch (RuntimeException e) {
        LOG.debug("extraResponseHeadersLookup failed while draining", e);
      }
    }
    resp.setStatus(503);
    resp.setContentType("text/plain; charset=utf-8");
    extra.forEach(resp::setHeader);
    resp.setHeader("Retry-After", Long.toString(retryAfter.toSeconds()));
    resp.setHeader("Cache-Control", "must-revalidate, private, max-age=0");
    resp.setHeader("Connection", "close");
    byte[] body =
        "message bus is draining on this node: poll again later (another node will answer)"
            .getBytes(StandardCharsets.UTF_8);
    resp.setContentLength(body.length);
    resp.getOutputStream().write(body);
  }
}
