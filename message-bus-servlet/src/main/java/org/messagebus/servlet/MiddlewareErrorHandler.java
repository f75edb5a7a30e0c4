package org.messagebus.servlet;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Chooses the response for a bus request whose handling failed (Ruby: {@code on_middleware_error}).
 * Only failures of the bus's own handling reach it, never those of the rest of the application.
 */
@FunctionalInterface
public interface MiddlewareErrorHandler {

  /**
   * Returns the response to send, or null for the default (400 bad input, 503 backend failure, 500
   * otherwise).
   *
   * @param request the request being handled
   * @param error what failed
   * @return the response, or null
   */
  ErrorResponse handle(HttpServletRequest request, Exception error);

  /**
   * A plain-text response.
   *
   * @param status the HTTP status
   * @param body the body, sent as {@code text/plain; charset=utf-8}
   */
  record ErrorResponse(int status, String body) {}
}
