// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.messagebus.http.Reasons;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error handler of {@link MessageBusServer}'s Jetty: every error response Jetty makes itself (a
 * request it cannot parse, an unknown HTTP version, headers or a URI over its limits, an ambiguous
 * path, a failed {@code Expect}, a 404 of no servlet) answers as the bus's own errors do: {@code
 * text/plain; charset=utf-8} with a one-line reason, whatever the method ({@code HEAD}: the headers
 * only) and whatever the {@code Accept} header, never an HTML or JSON page and never a stack trace.
 * The status is the one Jetty chose.
 *
 * <p>The reason is Jetty's message for a 4xx (made one line by {@link Reasons}: it may quote the
 * request), and the standard reason phrase for a 5xx (which may come from an application's
 * exception, so nothing of it is shown). Logged at DEBUG: these are the client's mistakes, or were
 * logged where they happened.
 *
 * <p>Installed on the server (errors before a request reaches the servlet context) and on the
 * servlet context (errors inside it, {@code sendError} included). Stateless and thread-safe.
 */
final class PlainErrorHandler extends ErrorHandler {

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusServer.class);

  /** How many code points of Jetty's message a reason keeps: {@value}. */
  static final int MAX_REASON = 200;

  PlainErrorHandler() {
    setShowStacks(false);
    setShowCauses(false);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    String message =
        request.getAttribute(ERROR_MESSAGE) instanceof String s && !s.isBlank() ? s : null;
    if (request.getAttribute(ERROR_EXCEPTION) instanceof HttpException http) {
      status = http.getCode();
      response.setStatus(status);
      if (message == null) {
        message = http.getReason();
      }
    }
    String reason = reason(status, message);
    LOG.debug("Jetty answered {} {}: {}", request.getMethod(), status, reason);
    generateCacheControl(response);
    if (HttpStatus.hasNoBody(status)) {
      callback.succeeded();
      return true;
    }
    byte[] body = reason.getBytes(StandardCharsets.UTF_8);
    // as the filter's replies read on the wire (the servlet response drops the space)
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    if (HttpMethod.HEAD.is(request.getMethod())) {
      response.write(true, null, callback);
    } else {
      response.write(true, ByteBuffer.wrap(body), callback);
    }
    return true;
  }

  /** Jetty's message for a 4xx, one line; the standard phrase otherwise (or if it has none). */
  static String reason(int status, @Nullable String message) {
    String phrase = HttpStatus.getMessage(status);
    if (status >= 400 && status < 500 && message != null && !message.isBlank()) {
      return Reasons.oneLine(message.strip(), MAX_REASON);
    }
    return phrase == null || phrase.isBlank() ? "HTTP error " + status : phrase;
  }
}
