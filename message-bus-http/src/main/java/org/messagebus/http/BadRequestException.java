// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.util.Map;

/**
 * Bad input in a bus request, or a request the endpoint refuses: answered with a 4xx status, a
 * one-line reason and optional headers (e.g. {@code Retry-After}), and logged at DEBUG at most.
 */
final class BadRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String reason;
  final transient Map<String, String> headers;

  BadRequestException(int status, String reason) {
    this(status, reason, Map.of());
  }

  BadRequestException(int status, String reason, Map<String, String> headers) {
    super(reason, null, false, false);
    this.status = status;
    this.reason = reason;
    this.headers = Map.copyOf(headers);
  }
}
