// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.net.URI;
import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * The values a {@link MessageBusClient} was built with, frozen: every pause and limit of the poll
 * loop and every part of a poll request, with the rules each value must follow (which {@link
 * MessageBusClient.Builder}'s setters apply at once). Collaborators (HTTP client, executors,
 * listeners) are not options and live elsewhere.
 *
 * @param pollBase {@code <baseUri>message-bus/}, the base path included
 * @param clientId the id in the poll URL
 * @param longPolling whether polls are held by the server
 * @param chunkedEncoding whether a held poll may be streamed
 * @param minPollInterval the pause after a successful long poll; the backoff's first step
 * @param maxPollInterval the longest backoff
 * @param backgroundCallbackInterval the pause after a successful poll without long polling
 * @param minRetryAfter the shortest wait after a 429
 * @param requestTimeout how long to wait for a reply's headers
 * @param headers extra request headers, in the order given
 * @param reportLoss whether requests ask for the server's loss signal (a {@link ClientLossListener}
 *     is set)
 */
record ClientOptions(
    URI pollBase,
    String clientId,
    boolean longPolling,
    boolean chunkedEncoding,
    Duration minPollInterval,
    Duration maxPollInterval,
    Duration backgroundCallbackInterval,
    Duration minRetryAfter,
    Duration requestTimeout,
    Map<String, String> headers,
    boolean reportLoss) {

  /** The backoff doubles per failure up to this many failures (then it is at its maximum). */
  private static final int MAX_DOUBLINGS = 20;

  /** Checks what no single setter can. */
  ClientOptions {
    Objects.requireNonNull(pollBase, "pollBase");
    Objects.requireNonNull(clientId, "clientId");
    if (minPollInterval.compareTo(maxPollInterval) > 0) {
      throw new IllegalArgumentException(
          "minPollInterval must not exceed maxPollInterval: "
              + minPollInterval
              + " > "
              + maxPollInterval);
    }
    headers = Map.copyOf(headers);
  }

  /**
   * Returns the URL polls go to: {@code <base>message-bus/<clientId>/poll}, with {@code dlp=t} in
   * the query when long polling is off and {@code __loss=1} when {@link #reportLoss}.
   *
   * @return the poll URL
   */
  URI pollUri() {
    String query =
        (longPolling ? "" : "dlp=t") + (reportLoss ? (longPolling ? "" : "&") + "__loss=1" : "");
    return URI.create(pollBase + clientId + "/poll" + (query.isEmpty() ? "" : "?" + query));
  }

  /**
   * Tells whether a held poll may be streamed (no {@code Dont-Chunk} header sent).
   *
   * @return true when long polling and chunked encoding are both on and no {@code Dont-Chunk}
   *     header was added by hand
   */
  boolean streaming() {
    return longPolling
        && chunkedEncoding
        && headers.keySet().stream().noneMatch("Dont-Chunk"::equalsIgnoreCase);
  }

  /**
   * Returns the pause after a successful poll.
   *
   * @return {@code minPollInterval} when long polling, else {@code backgroundCallbackInterval}
   */
  Duration pauseAfterSuccess() {
    return longPolling ? minPollInterval : backgroundCallbackInterval;
  }

  /**
   * Returns the pause after a failed poll: {@code minPollInterval} doubled per consecutive failure,
   * at most {@code maxPollInterval}.
   *
   * @param consecutiveFailures failures in a row, at least 1
   * @return the pause
   */
  Duration backoff(int consecutiveFailures) {
    long factor = 1L << Math.min(Math.max(consecutiveFailures, 0), MAX_DOUBLINGS);
    long millis = minPollInterval.toMillis() * factor;
    return Duration.ofMillis(
        Math.min(Math.max(millis, minPollInterval.toMillis()), maxPollInterval.toMillis()));
  }

  /**
   * Returns the wait after a 429: what the server asked for, never less than {@code minRetryAfter}.
   *
   * @param failure the 429
   * @return the wait
   */
  Duration retryAfter(RetryAfterException failure) {
    Duration asked = failure.requested().orElse(minRetryAfter);
    return asked.compareTo(minRetryAfter) < 0 ? minRetryAfter : asked;
  }

  // ---------------------------------------------------------------- rules for single values

  /**
   * Checks a base URI.
   *
   * @param baseUri the URI
   * @return it
   * @throws IllegalArgumentException unless http or https
   */
  static URI httpUri(URI baseUri) {
    Objects.requireNonNull(baseUri, "baseUri");
    String scheme = baseUri.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("baseUri must be an http or https URI: " + baseUri);
    }
    return baseUri;
  }

  /**
   * Returns {@code <baseUri>message-bus/}, the base path kept.
   *
   * @param baseUri an http(s) URI, with or without a trailing slash
   * @return the poll base
   */
  static URI pollBase(URI baseUri) {
    String base = baseUri.toString();
    return URI.create((base.endsWith("/") ? base : base + "/") + "message-bus/");
  }

  /**
   * Checks a client id.
   *
   * @param id the id
   * @return it
   * @throws IllegalArgumentException if null, empty or containing {@code /}
   */
  static String clientId(String id) {
    if (id == null || id.isEmpty() || id.contains("/")) {
      throw new IllegalArgumentException("clientId must be non-empty without '/': " + id);
    }
    return id;
  }

  /**
   * Makes a random client id.
   *
   * @param hexLength its length, even
   * @return that many random hex characters
   */
  static String randomClientId(int hexLength) {
    byte[] bytes = new byte[hexLength / 2];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * Checks a duration option.
   *
   * @param name the option, for the message
   * @param d the value
   * @return it
   * @throws IllegalArgumentException if not positive
   * @throws NullPointerException if null
   */
  static Duration positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return d;
  }

  /**
   * Checks an extra request header: one the client does not set itself and {@code java.net.http}
   * will send.
   *
   * @param name the name
   * @param value the value
   * @throws IllegalArgumentException for {@code Content-Type}, a restricted header or an invalid
   *     name or value
   */
  static void checkHeader(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.equalsIgnoreCase("Content-Type")) {
      throw new IllegalArgumentException("header Content-Type is set by the client");
    }
    try {
      HttpRequest.newBuilder().header(name, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("header " + name + " cannot be sent: " + e.getMessage());
    }
  }
}
