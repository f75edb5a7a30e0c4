// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.messagebus.http.EngineOptions;
import org.messagebus.http.HttpRequestView;

/**
 * How the HTTP subscriber endpoint behaves: routes, long polling, streaming, the lookups that
 * identify a web client, and the limits applied to requests. Immutable; build with {@link
 * #builder()}. Every setter documents its default and rejects a bad value at once.
 *
 * <p>The values, their checks and their full documentation live in the engine's {@link
 * EngineOptions}: this class forwards to it and adds the lookups written for {@link
 * HttpServletRequest}. It stays for source compatibility and as the Servlet module's own options.
 *
 * <p><b>Size.</b> Over 500 lines because every option has a documented getter and a builder setter,
 * kept nested for source compatibility; the checks are in {@link EngineOptions.Builder}.
 */
public final class HttpTransportOptions {

  /** Default of {@link Builder#baseRoute}: {@code /}, so the endpoint is {@code /message-bus/}. */
  public static final String DEFAULT_BASE_ROUTE = EngineOptions.DEFAULT_BASE_ROUTE;

  /** Default of {@link Builder#longPollingInterval}: 25 seconds. */
  public static final Duration DEFAULT_LONG_POLLING_INTERVAL =
      EngineOptions.DEFAULT_LONG_POLLING_INTERVAL;

  /** Default of {@link Builder#longPollingMinHold}: 15 seconds. */
  public static final Duration DEFAULT_LONG_POLLING_MIN_HOLD =
      EngineOptions.DEFAULT_LONG_POLLING_MIN_HOLD;

  /** Default of {@link Builder#maxActiveClients}: 1,000 held polls. */
  public static final int DEFAULT_MAX_ACTIVE_CLIENTS = EngineOptions.DEFAULT_MAX_ACTIVE_CLIENTS;

  /** Default of {@link Builder#fanOutThreads}: the number of available processors, at most 4. */
  public static final int DEFAULT_FAN_OUT_THREADS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  /** Default of {@link Builder#maxBodyBytes}: 64 KiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = EngineOptions.DEFAULT_MAX_BODY_BYTES;

  /** Default of {@link Builder#maxChannels}: 1,000 channels per poll. */
  public static final int DEFAULT_MAX_CHANNELS = EngineOptions.DEFAULT_MAX_CHANNELS;

  /** Default of {@link Builder#maxClientIdLength}: 128 characters. */
  public static final int DEFAULT_MAX_CLIENT_ID_LENGTH = EngineOptions.DEFAULT_MAX_CLIENT_ID_LENGTH;

  /** Default of {@link Builder#maxUnsentBytes}: 256 KiB waiting for a client that does not read. */
  public static final int DEFAULT_MAX_UNSENT_BYTES = EngineOptions.DEFAULT_MAX_UNSENT_BYTES;

  /** Default of {@link Builder#maxHeldPollsPerUser}: 10 held polls per signed-in user. */
  public static final int DEFAULT_MAX_HELD_POLLS_PER_USER =
      EngineOptions.DEFAULT_MAX_HELD_POLLS_PER_USER;

  /** Default of {@link Builder#maxHeldPollsPerAddress}: 50 held polls per anonymous address. */
  public static final int DEFAULT_MAX_HELD_POLLS_PER_ADDRESS =
      EngineOptions.DEFAULT_MAX_HELD_POLLS_PER_ADDRESS;

  /** Default of {@link Builder#heldPollsRetryAfter}: 15 seconds. */
  public static final Duration DEFAULT_HELD_POLLS_RETRY_AFTER =
      EngineOptions.DEFAULT_HELD_POLLS_RETRY_AFTER;

  /**
   * Default of {@link Builder#trustedProxies}: the loopback addresses ({@code 127.0.0.0/8} and
   * {@code ::1}), so a reverse proxy on the same host is trusted and nobody else is.
   */
  public static final List<String> DEFAULT_TRUSTED_PROXIES = EngineOptions.DEFAULT_TRUSTED_PROXIES;

  /** Default of {@link Builder#sseHeartbeatInterval}: 15 seconds. */
  public static final Duration DEFAULT_SSE_HEARTBEAT_INTERVAL =
      EngineOptions.DEFAULT_SSE_HEARTBEAT_INTERVAL;

  /** Default of {@link Builder#sseMaxDuration}: 5 minutes. */
  public static final Duration DEFAULT_SSE_MAX_DURATION = EngineOptions.DEFAULT_SSE_MAX_DURATION;

  /**
   * Default of {@link Builder#sseMinDuration} with the default maximum: 4 minutes (unset, four
   * fifths of {@link Builder#sseMaxDuration}).
   */
  public static final Duration DEFAULT_SSE_MIN_DURATION = EngineOptions.DEFAULT_SSE_MIN_DURATION;

  /** Default of {@link Builder#sseRetry}: 1 second. */
  public static final Duration DEFAULT_SSE_RETRY = EngineOptions.DEFAULT_SSE_RETRY;

  // every value but the lookups, checked by the engine's builder
  private final EngineOptions values;
  private final @Nullable Function<HttpServletRequest, Object> userIdLookup;
  private final @Nullable Function<HttpServletRequest, List<?>> groupIdsLookup;
  private final @Nullable Function<HttpServletRequest, String> siteIdLookup;
  private final @Nullable Function<HttpServletRequest, Map<String, String>>
      extraResponseHeadersLookup;
  private final @Nullable MiddlewareErrorHandler onMiddlewareError;
  private final @Nullable Predicate<HttpServletRequest> isAdminLookup;
  private final @Nullable Function<HttpRequestView, Object> userIdFromRequest;
  private final @Nullable Function<HttpRequestView, List<?>> groupIdsFromRequest;
  private final @Nullable Function<HttpRequestView, String> siteIdFromRequest;
  private final @Nullable Function<HttpRequestView, Map<String, String>>
      extraResponseHeadersFromRequest;
  private final @Nullable Predicate<HttpRequestView> isAdminFromRequest;

  private HttpTransportOptions(Builder b) {
    this.values = b.values.build();
    this.userIdLookup = b.userIdLookup;
    this.groupIdsLookup = b.groupIdsLookup;
    this.siteIdLookup = b.siteIdLookup;
    this.extraResponseHeadersLookup = b.extraResponseHeadersLookup;
    this.onMiddlewareError = b.onMiddlewareError;
    this.isAdminLookup = b.isAdminLookup;
    this.userIdFromRequest = b.userIdFromRequest;
    this.groupIdsFromRequest = b.groupIdsFromRequest;
    this.siteIdFromRequest = b.siteIdFromRequest;
    this.extraResponseHeadersFromRequest = b.extraResponseHeadersFromRequest;
    this.isAdminFromRequest = b.isAdminFromRequest;
  }

  /**
   * Starts a builder holding the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the defaults.
   *
   * @return options with every default
   */
  public static HttpTransportOptions defaults() {
    return builder().build();
  }

  /**
   * Normalises a base route as Ruby does: a leading and a trailing {@code /}, runs of {@code /}
   * collapsed ({@code my/base/route} and {@code //my///base/route} both become {@code
   * /my/base/route/}).
   *
   * @param route the route
   * @return the normalised route
   */
  public static String normalizeBaseRoute(String route) {
    return EngineOptions.normalizeBaseRoute(route);
  }

  /**
   * Returns the normalised base route; the endpoint is this plus {@code message-bus/}.
   *
   * @return the base route
   */
  public String baseRoute() {
    return values.baseRoute();
  }

  /**
   * Returns whether polls may be held open.
   *
   * @return true when long polling is enabled
   */
  public boolean longPollingEnabled() {
    return values.longPollingEnabled();
  }

  /**
   * Returns how long a poll is held at most.
   *
   * @return the interval
   */
  public Duration longPollingInterval() {
    return values.longPollingInterval();
  }

  /**
   * Returns the shortest hold of a held poll.
   *
   * @return the lower bound of the hold
   */
  public Duration longPollingMinHold() {
    return values.longPollingMinHold();
  }

  /**
   * Returns whether held polls may stream (chunked transfer encoding).
   *
   * @return true when streaming is enabled
   */
  public boolean chunkedEncodingEnabled() {
    return values.chunkedEncodingEnabled();
  }

  /**
   * Returns the number of held polls from which new polls are answered at once.
   *
   * @return the limit
   */
  public int maxActiveClients() {
    return values.maxActiveClients();
  }

  /**
   * Returns how many threads write live messages to held polls.
   *
   * @return the thread count; 1 writes on the bus's dispatch thread
   */
  public int fanOutThreads() {
    return values.fanOutThreads();
  }

  /**
   * Returns how many recent messages per channel answer polls without the store.
   *
   * @return the count; 0 when the recent-message window is off
   */
  public int recentWindowMessages() {
    return values.recentWindowMessages();
  }

  /**
   * Returns how many channels the recent-message window holds at most.
   *
   * @return the count; 0 when the window is off
   */
  public int recentWindowChannels() {
    return values.recentWindowChannels();
  }

  /**
   * Returns how many bytes of messages the recent-message window holds at most.
   *
   * @return the bytes; 0 when the window is off
   */
  public long recentWindowBytes() {
    return values.recentWindowBytes();
  }

  /**
   * Returns whether the debug broadcast route is served.
   *
   * @return true when broadcast is allowed
   */
  public boolean allowBroadcast() {
    return values.allowBroadcast();
  }

  /**
   * Returns whether the routes that change state (broadcast, diagnostics discover and hup) also
   * accept GET.
   *
   * @return true when GET is accepted there; by default only POST is
   */
  public boolean allowGetForActions() {
    return values.allowGetForActions();
  }

  /**
   * Returns the largest accepted request body.
   *
   * @return the limit in bytes
   */
  public int maxBodyBytes() {
    return values.maxBodyBytes();
  }

  /**
   * Returns the most channels one poll may subscribe to.
   *
   * @return the limit
   */
  public int maxChannels() {
    return values.maxChannels();
  }

  /**
   * Returns the longest accepted client id.
   *
   * @return the limit in characters
   */
  public int maxClientIdLength() {
    return values.maxClientIdLength();
  }

  /**
   * Returns how many bytes a stream may have waiting for a client that does not read.
   *
   * @return the cap in bytes
   */
  public int maxUnsentBytes() {
    return values.maxUnsentBytes();
  }

  /**
   * Returns whether a held long-poll reply says {@code Connection: close}, as Ruby's does.
   *
   * @return the choice
   */
  public boolean closeHeldPollConnections() {
    return values.closeHeldPollConnections();
  }

  /**
   * Returns whether the lookups are declared never to block.
   *
   * @return the declaration
   */
  public boolean nonBlockingLookups() {
    return values.nonBlockingLookups();
  }

  /**
   * Returns the most polls one signed-in user may have held at once.
   *
   * @return the limit
   */
  public int maxHeldPollsPerUser() {
    return values.maxHeldPollsPerUser();
  }

  /**
   * Returns the most polls one anonymous client address may have held at once.
   *
   * @return the limit
   */
  public int maxHeldPollsPerAddress() {
    return values.maxHeldPollsPerAddress();
  }

  /**
   * Returns the {@code Retry-After} sent with a 429 for a poll over its identity's limit.
   *
   * @return the delay, in whole seconds
   */
  public Duration heldPollsRetryAfter() {
    return values.heldPollsRetryAfter();
  }

  /**
   * Returns the proxies whose forwarding headers are believed, as given to the builder.
   *
   * @return addresses and CIDR ranges
   */
  public List<String> trustedProxies() {
    return values.trustedProxies();
  }

  /**
   * Returns whether the diagnostics page shows this process's live dashboard.
   *
   * @return the choice
   */
  public boolean dashboardEnabled() {
    return values.dashboardEnabled();
  }

  /**
   * Returns whether {@code GET <prefix><clientId>/sse} opens a Server-Sent Events stream.
   *
   * @return the choice
   */
  public boolean sseEnabled() {
    return values.sseEnabled();
  }

  /**
   * Returns how often an open Server-Sent Events stream sends a comment line.
   *
   * @return the interval
   */
  public Duration sseHeartbeatInterval() {
    return values.sseHeartbeatInterval();
  }

  /**
   * Returns how long a Server-Sent Events stream stays open before the server ends it.
   *
   * @return the duration
   */
  public Duration sseMaxDuration() {
    return values.sseMaxDuration();
  }

  /**
   * Returns the shortest life of a Server-Sent Events stream.
   *
   * @return the lower bound of a stream's life
   */
  public Duration sseMinDuration() {
    return values.sseMinDuration();
  }

  /**
   * Returns the reconnection delay a Server-Sent Events stream tells the browser.
   *
   * @return the delay
   */
  public Duration sseRetry() {
    return values.sseRetry();
  }

  /**
   * The engine's options: the same values, with the lookups called on the servlet request behind
   * the engine's request view.
   */
  EngineOptions toEngineOptions() {
    EngineOptions.Builder e = values.toBuilder();
    if (userIdLookup != null) {
      e.userIdLookup(v -> userIdLookup.apply(servlet(v)));
    } else if (userIdFromRequest != null) {
      e.userIdLookup(userIdFromRequest);
    }
    if (groupIdsLookup != null) {
      e.groupIdsLookup(v -> groupIdsLookup.apply(servlet(v)));
    } else if (groupIdsFromRequest != null) {
      e.groupIdsLookup(groupIdsFromRequest);
    }
    if (siteIdLookup != null) {
      e.siteIdLookup(v -> siteIdLookup.apply(servlet(v)));
    } else if (siteIdFromRequest != null) {
      e.siteIdLookup(siteIdFromRequest);
    }
    if (extraResponseHeadersLookup != null) {
      e.extraResponseHeadersLookup(v -> extraResponseHeadersLookup.apply(servlet(v)));
    } else if (extraResponseHeadersFromRequest != null) {
      e.extraResponseHeadersLookup(extraResponseHeadersFromRequest);
    }
    if (isAdminLookup != null) {
      e.isAdminLookup(v -> isAdminLookup.test(servlet(v)));
    } else if (isAdminFromRequest != null) {
      e.isAdminLookup(isAdminFromRequest);
    }
    if (onMiddlewareError != null) {
      e.onError(
          (v, error) -> {
            MiddlewareErrorHandler.ErrorResponse r = onMiddlewareError.handle(servlet(v), error);
            return r == null
                ? null
                : new EngineOptions.ErrorReply(r.status(), r.body(), r.headers());
          });
    }
    return e.build();
  }

  /** Tells whether a lookup or handler takes the servlet request (the Servlet adapter only). */
  boolean hasServletLookups() {
    return userIdLookup != null
        || groupIdsLookup != null
        || siteIdLookup != null
        || extraResponseHeadersLookup != null
        || isAdminLookup != null
        || onMiddlewareError != null;
  }

  private static HttpServletRequest servlet(HttpRequestView view) {
    HttpServletRequest req = view.unwrap(HttpServletRequest.class);
    if (req == null) {
      throw new IllegalStateException(
          "a lookup written for HttpServletRequest was called on a non-Servlet request");
    }
    return req;
  }

  /**
   * Returns the user id lookup.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpServletRequest, Object> userIdLookup() {
    return userIdLookup;
  }

  /**
   * Returns the group ids lookup.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpServletRequest, List<?>> groupIdsLookup() {
    return groupIdsLookup;
  }

  /**
   * Returns the per-request site id lookup.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpServletRequest, String> siteIdLookup() {
    return siteIdLookup;
  }

  /**
   * Returns the extra response headers lookup.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpServletRequest, Map<String, String>> extraResponseHeadersLookup() {
    return extraResponseHeadersLookup;
  }

  /**
   * Returns the error handler.
   *
   * @return the handler, or null
   */
  public @Nullable MiddlewareErrorHandler onMiddlewareError() {
    return onMiddlewareError;
  }

  /**
   * Returns the lookup that tells whether a request comes from an administrator (the gate of the
   * diagnostics page).
   *
   * @return the lookup, or null
   */
  public @Nullable Predicate<HttpServletRequest> isAdminLookup() {
    return isAdminLookup;
  }

  /**
   * Returns the lookup of web client's user id (number or string; null when anonymous) that works
   * with every adapter.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpRequestView, Object> userIdFromRequest() {
    return userIdFromRequest;
  }

  /**
   * Returns the lookup of web client's groups (null or empty for none) that works with every
   * adapter.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpRequestView, List<?>> groupIdsFromRequest() {
    return groupIdsFromRequest;
  }

  /**
   * Returns the lookup of web client's site that works with every adapter.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpRequestView, String> siteIdFromRequest() {
    return siteIdFromRequest;
  }

  /**
   * Returns the lookup of extra headers for every poll and preflight response (may return null)
   * that works with every adapter.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpRequestView, Map<String, String>>
      extraResponseHeadersFromRequest() {
    return extraResponseHeadersFromRequest;
  }

  /**
   * Returns the lookup of whether the request comes from an administrator (diagnostics) that works
   * with every adapter.
   *
   * @return the lookup, or null
   */
  public @Nullable Predicate<HttpRequestView> isAdminFromRequest() {
    return isAdminFromRequest;
  }

  /** Builds {@link HttpTransportOptions}. Not thread-safe. */
  public static final class Builder {
    private final EngineOptions.Builder values =
        EngineOptions.builder().fanOutThreads(DEFAULT_FAN_OUT_THREADS);
    private @Nullable Function<HttpServletRequest, Object> userIdLookup;
    private @Nullable Function<HttpServletRequest, List<?>> groupIdsLookup;
    private @Nullable Function<HttpServletRequest, String> siteIdLookup;
    private @Nullable Function<HttpServletRequest, Map<String, String>> extraResponseHeadersLookup;
    private @Nullable MiddlewareErrorHandler onMiddlewareError;
    private @Nullable Predicate<HttpServletRequest> isAdminLookup;
    private @Nullable Function<HttpRequestView, Object> userIdFromRequest;
    private @Nullable Function<HttpRequestView, List<?>> groupIdsFromRequest;
    private @Nullable Function<HttpRequestView, String> siteIdFromRequest;
    private @Nullable Function<HttpRequestView, Map<String, String>>
        extraResponseHeadersFromRequest;
    private @Nullable Predicate<HttpRequestView> isAdminFromRequest;

    private Builder() {}

    /**
     * Sets the path prefix before {@code message-bus/}, normalised with {@link
     * #normalizeBaseRoute}. Default {@code /}. See {@link EngineOptions.Builder#baseRoute}.
     *
     * @param route the route, e.g. {@code /api/}
     * @return this builder
     */
    public Builder baseRoute(String route) {
      values.baseRoute(route);
      return this;
    }

    /**
     * Enables or disables holding polls open. Default true; false answers every poll at once. See
     * {@link EngineOptions.Builder#longPollingEnabled}.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder longPollingEnabled(boolean enabled) {
      values.longPollingEnabled(enabled);
      return this;
    }

    /**
     * Sets how long a poll is held at most. Default 25 s. See {@link
     * EngineOptions.Builder#longPollingInterval}.
     *
     * @param interval positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder longPollingInterval(Duration interval) {
      values.longPollingInterval(interval);
      return this;
    }

    /**
     * Sets the shortest hold of a held poll: each is answered after a time drawn uniformly between
     * this and the interval, so that clients that polled together do not all come back together. At
     * least 15 s (the stock JavaScript client's {@code callbackInterval}); not below the interval:
     * every poll held exactly the interval. Default 15 s. See {@link
     * EngineOptions.Builder#longPollingMinHold}.
     *
     * @param minHold at least 15 s
     * @return this builder
     * @throws IllegalArgumentException if below 15 s
     */
    public Builder longPollingMinHold(Duration minHold) {
      values.longPollingMinHold(minHold);
      return this;
    }

    /**
     * Sets the clock that held polls, stream lifetimes and heartbeats are measured on, in
     * nanoseconds. Default {@link System#nanoTime}. With {@link #timerThread timerThread(false)}, a
     * test drives time itself: it moves this ticker and calls {@link
     * org.messagebus.http.HttpEngine#expireTimeouts()}. See {@link EngineOptions.Builder#ticker}.
     *
     * @param ticker nanoseconds, monotonic
     * @return this builder
     */
    public Builder ticker(java.util.function.LongSupplier ticker) {
      values.ticker(ticker);
      return this;
    }

    /**
     * Runs the timer thread that ends held polls and streams when their time is up. Default true;
     * false leaves that to {@link org.messagebus.http.HttpEngine#expireTimeouts()} (tests with a
     * {@link #ticker} of their own). See {@link EngineOptions.Builder#timerThread}.
     *
     * @param run the choice
     * @return this builder
     */
    public Builder timerThread(boolean run) {
      values.timerThread(run);
      return this;
    }

    /** Tests: {@link #ticker} and no timer thread. */
    Builder manualTicker(java.util.function.LongSupplier ticker) {
      return ticker(ticker).timerThread(false);
    }

    /**
     * Enables or disables streaming held polls with chunked encoding. Default true. See {@link
     * EngineOptions.Builder#chunkedEncodingEnabled}.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder chunkedEncodingEnabled(boolean enabled) {
      values.chunkedEncodingEnabled(enabled);
      return this;
    }

    /**
     * Sets the number of held polls from which new polls are answered at once. Default 1,000. See
     * {@link EngineOptions.Builder#maxActiveClients}.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxActiveClients(int max) {
      values.maxActiveClients(max);
      return this;
    }

    /**
     * Sets how many threads write each live message to the held polls (1: the bus's dispatch
     * thread). Default {@link #DEFAULT_FAN_OUT_THREADS} (available processors, at most 4). See
     * {@link EngineOptions.Builder#fanOutThreads}.
     *
     * @param threads 1 to 64
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder fanOutThreads(int threads) {
      values.fanOutThreads(threads);
      return this;
    }

    /**
     * Sets how many of each channel's newest messages the transport keeps, as the bus delivered
     * them, so that a long poll or stream that is current or up to that many messages behind is
     * answered without a store round trip (the recent-message window; when it reads the store
     * anyway: {@code docs/http.md}). Default {@value EngineOptions#DEFAULT_RECENT_WINDOW_MESSAGES},
     * capped by the backend's {@code maxBacklogSize}; 0 turns the window off. See {@link
     * EngineOptions.Builder#recentWindowMessages}.
     *
     * @param messages 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder recentWindowMessages(int messages) {
      values.recentWindowMessages(messages);
      return this;
    }

    /**
     * Sets how many channels the recent-message window holds; past it the least recently used are
     * dropped (their polls read the store). Default {@value
     * EngineOptions#DEFAULT_RECENT_WINDOW_CHANNELS}; 0 turns the window off.
     *
     * @param channels 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder recentWindowChannels(int channels) {
      values.recentWindowChannels(channels);
      return this;
    }

    /**
     * Sets how many bytes (messages as JSON on the wire) the recent-message window holds in all;
     * one channel holds at most a sixteenth of it. Default 16 MiB; 0 turns the window off.
     *
     * @param bytes 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder recentWindowBytes(long bytes) {
      values.recentWindowBytes(bytes);
      return this;
    }

    /**
     * Serves the debug route {@code message-bus/broadcast}. Default false: never enable it in
     * production. See {@link EngineOptions.Builder#allowBroadcast}.
     *
     * @param allow the choice
     * @return this builder
     */
    public Builder allowBroadcast(boolean allow) {
      values.allowBroadcast(allow);
      return this;
    }

    /**
     * Lets the routes that change state (broadcast, diagnostics discover and hup) accept GET as
     * Ruby does. Default false: POST only, against cross-site requests (CSRF). See {@link
     * EngineOptions.Builder#allowGetForActions}.
     *
     * @param allow the choice
     * @return this builder
     */
    public Builder allowGetForActions(boolean allow) {
      values.allowGetForActions(allow);
      return this;
    }

    /**
     * Sets the largest accepted request body; a larger one gets 413. Default 64 KiB. See {@link
     * EngineOptions.Builder#maxBodyBytes}.
     *
     * @param bytes at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxBodyBytes(int bytes) {
      values.maxBodyBytes(bytes);
      return this;
    }

    /**
     * Sets the most channels one poll may subscribe to (and the most fields of a form); more get
     * 400. Default 1,000. See {@link EngineOptions.Builder#maxChannels}.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxChannels(int max) {
      values.maxChannels(max);
      return this;
    }

    /**
     * Sets the longest accepted client id; a longer one gets 400. Default 128. See {@link
     * EngineOptions.Builder#maxClientIdLength}.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxClientIdLength(int max) {
      values.maxClientIdLength(max);
      return this;
    }

    /**
     * Sets the most polls one signed-in user may have held at once; more get 429. Default {@value
     * #DEFAULT_MAX_HELD_POLLS_PER_USER}. See {@link EngineOptions.Builder#maxHeldPollsPerUser}.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxHeldPollsPerUser(int max) {
      values.maxHeldPollsPerUser(max);
      return this;
    }

    /**
     * Sets how many bytes a stream may have waiting for a client that does not read before it is
     * ended (nothing is lost). Default {@value #DEFAULT_MAX_UNSENT_BYTES}. See {@link
     * EngineOptions.Builder#maxUnsentBytes}.
     *
     * @param bytes at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxUnsentBytes(int bytes) {
      values.maxUnsentBytes(bytes);
      return this;
    }

    /**
     * Sets whether a held long-poll reply says {@code Connection: close}, as Ruby's. Default false.
     * See {@link EngineOptions.Builder#closeHeldPollConnections}.
     *
     * @param close the choice
     * @return this builder
     */
    public Builder closeHeldPollConnections(boolean close) {
      values.closeHeldPollConnections(close);
      return this;
    }

    /**
     * Declares that the lookups and the bus's client message filters never block, so that the Jetty
     * core handler may answer or hold a poll on Jetty's I/O thread. Default false. See {@link
     * EngineOptions.Builder#nonBlockingLookups}.
     *
     * @param nonBlocking the declaration
     * @return this builder
     */
    public Builder nonBlockingLookups(boolean nonBlocking) {
      values.nonBlockingLookups(nonBlocking);
      return this;
    }

    /**
     * Sets the most polls one anonymous client address may have held at once; more get 429. Default
     * {@value #DEFAULT_MAX_HELD_POLLS_PER_ADDRESS}. See {@link
     * EngineOptions.Builder#maxHeldPollsPerAddress}.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxHeldPollsPerAddress(int max) {
      values.maxHeldPollsPerAddress(max);
      return this;
    }

    /**
     * Sets the {@code Retry-After} of the 429 answered to a poll over its identity's limit. Default
     * 15 s. See {@link EngineOptions.Builder#heldPollsRetryAfter}.
     *
     * @param delay at least 1 second, in whole seconds
     * @return this builder
     * @throws IllegalArgumentException if below 1 second or not whole seconds
     */
    public Builder heldPollsRetryAfter(Duration delay) {
      values.heldPollsRetryAfter(delay);
      return this;
    }

    /**
     * Sets the reverse proxies whose forwarding headers tell the client address (IP addresses or
     * CIDR ranges). Default {@link #DEFAULT_TRUSTED_PROXIES} (loopback). See {@link
     * EngineOptions.Builder#trustedProxies}.
     *
     * @param proxies addresses and ranges
     * @return this builder
     * @throws IllegalArgumentException if one is not an IP address or CIDR range
     */
    public Builder trustedProxies(Collection<String> proxies) {
      values.trustedProxies(List.copyOf(Objects.requireNonNull(proxies, "trustedProxies")));
      return this;
    }

    /**
     * Sets how the polling web client's user is found (a number or a string; null for an anonymous
     * client). Default: none (every client is anonymous).
     *
     * @param lookup called on the request thread
     * @return this builder
     */
    public Builder userIdLookup(Function<HttpServletRequest, Object> lookup) {
      this.userIdLookup = Objects.requireNonNull(lookup, "userIdLookup");
      this.userIdFromRequest = null;
      return this;
    }

    /**
     * Sets how the polling web client's groups are found (null or empty for none). Default: none.
     *
     * @param lookup called on the request thread
     * @return this builder
     */
    public Builder groupIdsLookup(Function<HttpServletRequest, List<?>> lookup) {
      this.groupIdsLookup = Objects.requireNonNull(lookup, "groupIdsLookup");
      this.groupIdsFromRequest = null;
      return this;
    }

    /**
     * Sets how the polling web client's site is found. Default: none, in which case the bus's own
     * site lookup (without request) is used.
     *
     * @param lookup called on the request thread
     * @return this builder
     */
    public Builder siteIdLookup(Function<HttpServletRequest, String> lookup) {
      this.siteIdLookup = Objects.requireNonNull(lookup, "siteIdLookup");
      this.siteIdFromRequest = null;
      return this;
    }

    /**
     * Sets extra headers for every poll and preflight response, e.g. CORS headers. Default: none.
     *
     * @param lookup called on the request thread; may return null
     * @return this builder
     */
    public Builder extraResponseHeadersLookup(
        Function<HttpServletRequest, Map<String, String>> lookup) {
      this.extraResponseHeadersLookup =
          Objects.requireNonNull(lookup, "extraResponseHeadersLookup");
      this.extraResponseHeadersFromRequest = null;
      return this;
    }

    /**
     * Sets the handler that may answer a request whose handling failed on the server's side (a
     * lookup threw, the backend failed, the bus is closed). Bad input (4xx) never reaches it.
     * Default: none, which answers 503 for a backend failure or a closed bus and 500 otherwise,
     * with a one-line reason.
     *
     * @param handler the handler
     * @return this builder
     */
    public Builder onMiddlewareError(MiddlewareErrorHandler handler) {
      this.onMiddlewareError = Objects.requireNonNull(handler, "onMiddlewareError");
      return this;
    }

    /**
     * Sets how an administrator is recognised: only they may use the diagnostics page and routes
     * under {@code message-bus/_diagnostics} (SPEC §6.2). Default: none, every diagnostics request
     * is refused with 403.
     *
     * @param lookup called on the request thread
     * @return this builder
     */
    public Builder isAdminLookup(Predicate<HttpServletRequest> lookup) {
      this.isAdminLookup = Objects.requireNonNull(lookup, "isAdminLookup");
      this.isAdminFromRequest = null;
      return this;
    }

    /**
     * Sets how the web client's user id (number or string; null when anonymous) is found, written
     * against {@link HttpRequestView} so that it works with every adapter (the Servlet filter and
     * the Jetty core handler of {@link MessageBusServer}); {@link HttpRequestView#unwrap} reaches
     * the transport's own request. Replaces {@link #userIdLookup}. Default: none.
     *
     * @param lookup called on the thread that received the request
     * @return this builder
     */
    public Builder userIdFromRequest(Function<HttpRequestView, Object> lookup) {
      this.userIdFromRequest = Objects.requireNonNull(lookup, "userIdFromRequest");
      this.userIdLookup = null;
      return this;
    }

    /**
     * Sets how the web client's groups (null or empty for none) is found, written against {@link
     * HttpRequestView} so that it works with every adapter (the Servlet filter and the Jetty core
     * handler of {@link MessageBusServer}); {@link HttpRequestView#unwrap} reaches the transport's
     * own request. Replaces {@link #groupIdsLookup}. Default: none.
     *
     * @param lookup called on the thread that received the request
     * @return this builder
     */
    public Builder groupIdsFromRequest(Function<HttpRequestView, List<?>> lookup) {
      this.groupIdsFromRequest = Objects.requireNonNull(lookup, "groupIdsFromRequest");
      this.groupIdsLookup = null;
      return this;
    }

    /**
     * Sets how the web client's site is found, written against {@link HttpRequestView} so that it
     * works with every adapter (the Servlet filter and the Jetty core handler of {@link
     * MessageBusServer}); {@link HttpRequestView#unwrap} reaches the transport's own request.
     * Replaces {@link #siteIdLookup}. Default: none.
     *
     * @param lookup called on the thread that received the request
     * @return this builder
     */
    public Builder siteIdFromRequest(Function<HttpRequestView, String> lookup) {
      this.siteIdFromRequest = Objects.requireNonNull(lookup, "siteIdFromRequest");
      this.siteIdLookup = null;
      return this;
    }

    /**
     * Sets how extra headers for every poll and preflight response (may return null) is found,
     * written against {@link HttpRequestView} so that it works with every adapter (the Servlet
     * filter and the Jetty core handler of {@link MessageBusServer}); {@link
     * HttpRequestView#unwrap} reaches the transport's own request. Replaces {@link
     * #extraResponseHeadersLookup}. Default: none.
     *
     * @param lookup called on the thread that received the request
     * @return this builder
     */
    public Builder extraResponseHeadersFromRequest(
        Function<HttpRequestView, Map<String, String>> lookup) {
      this.extraResponseHeadersFromRequest =
          Objects.requireNonNull(lookup, "extraResponseHeadersFromRequest");
      this.extraResponseHeadersLookup = null;
      return this;
    }

    /**
     * Sets how whether the request comes from an administrator (diagnostics) is found, written
     * against {@link HttpRequestView} so that it works with every adapter (the Servlet filter and
     * the Jetty core handler of {@link MessageBusServer}); {@link HttpRequestView#unwrap} reaches
     * the transport's own request. Replaces {@link #isAdminLookup}. Default: none.
     *
     * @param lookup called on the thread that received the request
     * @return this builder
     */
    public Builder isAdminFromRequest(Predicate<HttpRequestView> lookup) {
      this.isAdminFromRequest = Objects.requireNonNull(lookup, "isAdminFromRequest");
      this.isAdminLookup = null;
      return this;
    }

    /**
     * Shows this process's live dashboard on the diagnostics page ({@code _diagnostics/stats.json},
     * admins only like the page; docs/operations.md). Default true. False keeps the process list,
     * answers {@code stats.json} 404, and adds no observer to the bus or the endpoint, so the
     * dashboard costs nothing. See {@link EngineOptions.Builder#dashboardEnabled}.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder dashboardEnabled(boolean enabled) {
      values.dashboardEnabled(enabled);
      return this;
    }

    /**
     * Serves Server-Sent Events on {@code GET <prefix><clientId>/sse} (docs/http.md): the channels
     * and positions in the query, one event per message, resumed through {@code Last-Event-ID}. A
     * held poll in every respect: it counts against {@link #maxActiveClients}, {@link
     * #maxHeldPollsPerUser} and {@link #maxHeldPollsPerAddress}, and is cut off at {@link
     * #maxUnsentBytes}. Default true; false answers that route 404, and clients poll.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder sseEnabled(boolean enabled) {
      values.sseEnabled(enabled);
      return this;
    }

    /**
     * Sets how often an open Server-Sent Events stream sends a comment line ({@code :}), so that
     * proxies and load balancers do not close it as idle and a vanished client is noticed. Default
     * 15 s.
     *
     * @param interval positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder sseHeartbeatInterval(Duration interval) {
      values.sseHeartbeatInterval(interval);
      return this;
    }

    /**
     * Sets how long a Server-Sent Events stream stays open before the server ends it; the browser
     * then reconnects after {@link #sseRetry} with {@code Last-Event-ID} and misses nothing. Bounds
     * how long a connection outlives a change of the user's rights or a deployment. Default 5
     * minutes (12 long-polling intervals).
     *
     * @param duration positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder sseMaxDuration(Duration duration) {
      values.sseMaxDuration(duration);
      return this;
    }

    /**
     * Sets the shortest life of a Server-Sent Events stream: each is ended after a time drawn
     * uniformly between this and {@link #sseMaxDuration}, so that streams opened together do not
     * all end, and reconnect, together. Equal to the maximum: every stream lasts exactly that.
     * Default four fifths of {@code sseMaxDuration} (4 minutes with the default 5). See {@link
     * EngineOptions.Builder#sseMinDuration}.
     *
     * @param duration positive, not above {@code sseMaxDuration} (checked by {@link #build()})
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder sseMinDuration(Duration duration) {
      values.sseMinDuration(duration);
      return this;
    }

    /**
     * Sets the reconnection delay a stream tells the browser ({@code retry:} in milliseconds), the
     * wait between the end of a stream and the browser's reconnection. Default 1 s.
     *
     * @param delay zero or more, in whole milliseconds
     * @return this builder
     * @throws IllegalArgumentException if negative or finer than milliseconds
     */
    public Builder sseRetry(Duration delay) {
      values.sseRetry(delay);
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the immutable options
     * @throws IllegalArgumentException if {@link #sseMinDuration} is above {@link #sseMaxDuration}
     */
    public HttpTransportOptions build() {
      return new HttpTransportOptions(this);
    }
  }
}
