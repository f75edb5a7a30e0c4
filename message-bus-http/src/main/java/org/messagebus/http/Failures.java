// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;
import org.messagebus.BusClosedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failed bus request becomes an HTTP status, a one-line reason and a log line
 * (STYLE habit 8). Anyone can send bad input, so nothing a client controls is logged above DEBUG:
 *
 * <ul>
 *   <li>bad input ({@link BadRequestException}, or the container's own 4xx exception when a lookup
 *       of the application hit it; an unknown or illegal charset is 415) → that 4xx, DEBUG;
 *   <li>a closed bus ({@link BusClosedException}, e.g. a poll during shutdown) → 503, DEBUG;
 *   <li>a backend outage ({@link BackendException}) → 503; one WARN when polls start failing, DEBUG
 *       while it lasts, one INFO when the backend answers again ({@link #backendAnswered});
 *   <li>the request body did not arrive in time → 408, DEBUG; the connection failed ({@link
 *       IOException}) → no answer (nobody listens), DEBUG;
 *   <li>anything else (a bug, a lookup of the application that threw) → 500 {@code internal error},
 *       ERROR with the stack trace.
 * </ul>
 *
 * <p>Thread-safe: the outage state is one atomic flag.
 */
final class Failures {

  private static final Logger LOG = LoggerFactory.getLogger(HttpEngine.class);

  /** What to answer: status, one-line reason and headers; {@code serverSide} for 5xx causes. */
  record Reply(int status, String reason, Map<String, String> headers, boolean serverSide) {}

  private final AtomicBoolean backendDown = new AtomicBoolean();

  /**
   * Classifies a failure and logs it at its level. Returns null when there is nobody to answer (the
   * client's connection failed).
   */
  @Nullable Reply handle(Throwable e) {
    if (e instanceof BadRequestException bad) {
      LOG.debug("bad message-bus request ({}): {}", bad.status, bad.getMessage());
      return new Reply(bad.status, bad.reason, bad.headers, false);
    }
    if (e instanceof UnsupportedCharsetException || e instanceof IllegalCharsetNameException) {
      LOG.debug("message-bus request with an unsupported charset: {}", e.toString());
      return new Reply(415, "unsupported charset", Map.of(), false);
    }
    int containerStatus = containerClientError(e);
    if (containerStatus > 0) {
      LOG.debug("malformed message-bus request: {}", e.toString());
      return new Reply(containerStatus, "malformed request", Map.of(), false);
    }
    if (e instanceof BusClosedException) {
      LOG.debug("message-bus request while the bus is closed: {}", e.getMessage());
      return new Reply(503, "message bus is closed", Map.of(), true);
    }
    if (e instanceof BackendException) {
      if (backendDown.compareAndSet(false, true)) {
        LOG.warn(
            "message-bus backend unavailable; polls are answered 503 until it answers again"
                + " (further failures at DEBUG): {}",
            e.toString());
      } else {
        LOG.debug("message-bus backend still unavailable", e);
      }
      return new Reply(503, "message bus backend unavailable", Map.of(), true);
    }
    if (e instanceof TimeoutException) {
      LOG.debug("message-bus request body not received in time: {}", e.toString());
      return new Reply(408, "request body not received in time", Map.of(), false);
    }
    if (e instanceof IOException) {
      LOG.debug("message-bus request I/O failed: {}", e.toString());
      return null;
    }
    LOG.error("message-bus request failed", e);
    return new Reply(500, "internal error", Map.of(), true);
  }

  /** Notes that the backend answered; ends an outage, with one INFO line. */
  void backendAnswered() {
    if (backendDown.get() && backendDown.compareAndSet(true, false)) {
      LOG.info("message-bus backend answers again; polls are served");
    }
  }

  /**
   * The 4xx status of the container's own bad-request exception (Jetty's {@code HttpException},
   * e.g. a parameter with bad encoding that a lookup asked for; Tomcat's {@code
   * InvalidParameterException}), or 0. Found by name: this module does not link either.
   */
  private static int containerClientError(Throwable e) {
    for (Class<?> c = e.getClass(); c != null; c = c.getSuperclass()) {
      String name = c.getName();
      if (name.equals("org.apache.tomcat.util.http.InvalidParameterException")) {
        return clientStatus(e, c, "getErrorCode");
      }
      for (Class<?> i : c.getInterfaces()) {
        if (i.getName().equals("org.eclipse.jetty.http.HttpException")) {
          return clientStatus(e, i, "getCode");
        }
      }
    }
    return 0;
  }

  /** The code if it is a 4xx; 0 for anything else (a container's 5xx stays a server error). */
  private static int clientStatus(Throwable e, Class<?> declaring, String method) {
    try {
      Method m = declaring.getMethod(method);
      int code = (Integer) m.invoke(e);
      return code >= 400 && code < 500 ? code : 0;
    } catch (ReflectiveOperationException | RuntimeException notAsExpected) {
      return 0;
    }
  }
}
