// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The server turned a poll away for now (HTTP 429): wait before the next one. */
final class RetryAfterException extends IOException {

  private static final long serialVersionUID = 1L;

  /** What the server asked for; empty when it did not say (or said it unreadably). */
  private final transient Optional<Duration> requested;

  /**
   * Creates the failure.
   *
   * @param requested the wait the server asked for, if any
   */
  RetryAfterException(Optional<Duration> requested) {
    super(
        "HTTP 429 Too Many Requests"
            + requested.map(d -> ", Retry-After " + d.toMillis() + " ms").orElse(""));
    this.requested = requested;
  }

  /**
   * Returns the wait the server asked for.
   *
   * @return the wait, or empty
   */
  Optional<Duration> requested() {
    return requested;
  }

  /**
   * Reads a {@code Retry-After} header: seconds, or an HTTP date (RFC 9110 §10.2.3).
   *
   * @param header the header value, or null
   * @param now the current instant, to turn a date into a wait
   * @return the wait (negative for a date in the past), or empty if absent or unreadable
   */
  static Optional<Duration> parseRetryAfter(@Nullable String header, Instant now) {

    if (header == null) {
      return Optional.empty();
    }
    String value = header.trim();
    try {
      return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        return Optional.of(Duration.between(now, at));
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }
}
