// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.jspecify.annotations.Nullable;

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
  @Nullable ErrorResponse handle(HttpServletRequest request, Exception error);

  /**
   * A plain-text response.
   *
   * @param status the HTTP status
   * @param body the body, sent as {@code text/plain; charset=utf-8}
   * @param headers headers to send with it (e.g. {@code Retry-After} with a 429), after the extra
   *     response headers, which they override; never null
   */
  record ErrorResponse(int status, String body, Map<String, String> headers) {

    /**
     * Copies the headers.
     *
     * @param status the HTTP status
     * @param body the body
     * @param headers the headers, or null for none
     */
    public ErrorResponse {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /**
     * A response without headers of its own.
     *
     * @param status the HTTP status
     * @param body the body
     */
    public ErrorResponse(int status, String body) {
      this(status, body, Map.of());
    }
  }
}
