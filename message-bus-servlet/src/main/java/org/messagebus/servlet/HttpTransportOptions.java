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
 * <p><b>Size.</b> Over 500 lines because every option has a documented getter and a validating
 * builder setter, kept nested for source compatibility; the logic is in the engine.
 */
public final class HttpTransportOptions {

  /** Default of {@link Builder#baseRoute}: {@code /}, so the endpoint is {@code /message-bus/}. */
  public static final String DEFAULT_BASE_ROUTE = "/";

  /** Default of {@link Builder#longPollingInterval}: 25 seconds. */
  public static final Duration DEFAULT_LONG_POLLING_INTERVAL = Duration.ofSeconds(25);

  /** Default of {@link Builder#maxActiveClients}: 1,000 held polls. */
  public static final int DEFAULT_MAX_ACTIVE_CLIENTS = 1000;

  /** Default of {@link Builder#fanOutThreads}: the number of available processors, at most 4. */
  public static final int DEFAULT_FAN_OUT_THREADS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  /** Default of {@link Builder#maxBodyBytes}: 64 KiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

  /** Default of {@link Builder#maxChannels}: 1,000 channels per poll. */
  public static final int DEFAULT_MAX_CHANNELS = 1000;

  /** Default of {@link Builder#maxClientIdLength}: 128 characters. */
  public static final int DEFAULT_MAX_CLIENT_ID_LENGTH = 128;

  /** Default of {@link Builder#maxUnsentBytes}: 256 KiB waiting for a client that does not read. */
  public static final int DEFAULT_MAX_UNSENT_BYTES = 256 * 1024;

  /** Default of {@link Builder#maxHeldPollsPerUser}: 10 held polls per signed-in user. */
  public static final int DEFAULT_MAX_HELD_POLLS_PER_USER = 10;

  /** Default of {@link Builder#maxHeldPollsPerAddress}: 50 held polls per anonymous address. */
  public static final int DEFAULT_MAX_HELD_POLLS_PER_ADDRESS = 50;

  /** Default of {@link Builder#heldPollsRetryAfter}: 15 seconds. */
  public static final Duration DEFAULT_HELD_POLLS_RETRY_AFTER = Duration.ofSeconds(15);

  /**
   * Default of {@link Builder#trustedProxies}: the loopback addresses ({@code 127.0.0.0/8} and
   * {@code ::1}), so a reverse proxy on the same host is trusted and nobody else is.
   */
  public static final List<String> DEFAULT_TRUSTED_PROXIES = List.of("127.0.0.0/8", "::1");

  private final String baseRoute;
  private final boolean longPollingEnabled;
  private final Duration longPollingInterval;
  private final boolean chunkedEncodingEnabled;
  private final int maxActiveClients;
  private final int fanOutThreads;
  private final int recentWindowMessages;
  private final int recentWindowChannels;
  private final long recentWindowBytes;
  private final boolean allowBroadcast;
  private final boolean allowGetForActions;
  private final int maxBodyBytes;
  private final int maxChannels;
  private final int maxClientIdLength;
  private final int maxHeldPollsPerUser;
  private final int maxUnsentBytes;
  private final boolean closeHeldPollConnections;
  private final int maxHeldPollsPerAddress;
  private final Duration heldPollsRetryAfter;
  private final List<String> trustedProxies;
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
    this.baseRoute = b.baseRoute;
    this.longPollingEnabled = b.longPollingEnabled;
    this.longPollingInterval = b.longPollingInterval;
    this.chunkedEncodingEnabled = b.chunkedEncodingEnabled;
    this.maxActiveClients = b.maxActiveClients;
    this.fanOutThreads = b.fanOutThreads;
    this.recentWindowMessages = b.recentWindowMessages;
    this.recentWindowChannels = b.recentWindowChannels;
    this.recentWindowBytes = b.recentWindowBytes;
    this.allowBroadcast = b.allowBroadcast;
    this.allowGetForActions = b.allowGetForActions;
    this.maxBodyBytes = b.maxBodyBytes;
    this.maxChannels = b.maxChannels;
    this.maxClientIdLength = b.maxClientIdLength;
    this.maxHeldPollsPerUser = b.maxHeldPollsPerUser;
    this.maxUnsentBytes = b.maxUnsentBytes;
    this.closeHeldPollConnections = b.closeHeldPollConnections;
    this.maxHeldPollsPerAddress = b.maxHeldPollsPerAddress;
    this.heldPollsRetryAfter = b.heldPollsRetryAfter;
    this.trustedProxies = b.trustedProxies;
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
    Objects.requireNonNull(route, "baseRoute");
    return ("/" + route + "/").replaceAll("/+", "/");
  }

  /**
   * Returns the normalised base route; the endpoint is this plus {@code message-bus/}.
   *
   * @return the base route
   */
  public String baseRoute() {
    return baseRoute;
  }

  /**
   * Returns whether polls may be held open.
   *
   * @return true when long polling is enabled
   */
  public boolean longPollingEnabled() {
    return longPollingEnabled;
  }

  /**
   * Returns how long a poll is held at most.
   *
   * @return the interval
   */
  public Duration longPollingInterval() {
    return longPollingInterval;
  }

  /**
   * Returns whether held polls may stream (chunked transfer encoding).
   *
   * @return true when streaming is enabled
   */
  public boolean chunkedEncodingEnabled() {
    return chunkedEncodingEnabled;
  }

  /**
   * Returns the number of held polls from which new polls are answered at once.
   *
   * @return the limit
   */
  public int maxActiveClients() {
    return maxActiveClients;
  }

  /**
   * Returns how many threads write live messages to held polls.
   *
   * @return the thread count; 1 writes on the bus's dispatch thread
   */
  public int fanOutThreads() {
    return fanOutThreads;
  }

  /**
   * Returns how many recent messages per channel answer polls without the store.
   *
   * @return the count; 0 when the recent-message window is off
   */
  public int recentWindowMessages() {
    return recentWindowMessages;
  }

  /**
   * Returns how many channels the recent-message window holds at most.
   *
   * @return the count; 0 when the window is off
   */
  public int recentWindowChannels() {
    return recentWindowChannels;
  }

  /**
   * Returns how many bytes of messages the recent-message window holds at most.
   *
   * @return the bytes; 0 when the window is off
   */
  public long recentWindowBytes() {
    return recentWindowBytes;
  }

  /**
   * Returns whether the debug broadcast route is served.
   *
   * @return true when broadcast is allowed
   */
  public boolean allowBroadcast() {
    return allowBroadcast;
  }

  /**
   * Returns whether the routes that change state (broadcast, diagnostics discover and hup) also
   * accept GET.
   *
   * @return true when GET is accepted there; by default only POST is
   */
  public boolean allowGetForActions() {
    return allowGetForActions;
  }

  /**
   * Returns the largest accepted request body.
   *
   * @return the limit in bytes
   */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * Returns the most channels one poll may subscribe to.
   *
   * @return the limit
   */
  public int maxChannels() {
    return maxChannels;
  }

  /**
   * Returns the longest accepted client id.
   *
   * @return the limit in characters
   */
  public int maxClientIdLength() {
    return maxClientIdLength;
  }

  /**
   * Returns how many bytes a stream may have waiting for a client that does not read.
   *
   * @return the cap in bytes
   */
  public int maxUnsentBytes() {
    return maxUnsentBytes;
  }

  /**
   * Returns whether a held long-poll reply says {@code Connection: close}, as Ruby's does.
   *
   * @return the choice
   */
  public boolean closeHeldPollConnections() {
    return closeHeldPollConnections;
  }

  /**
   * Returns the most polls one signed-in user may have held at once.
   *
   * @return the limit
   */
  public int maxHeldPollsPerUser() {
    return maxHeldPollsPerUser;
  }

  /**
   * Returns the most polls one anonymous client address may have held at once.
   *
   * @return the limit
   */
  public int maxHeldPollsPerAddress() {
    return maxHeldPollsPerAddress;
  }

  /**
   * Returns the {@code Retry-After} sent with a 429 for a poll over its identity's limit.
   *
   * @return the delay, in whole seconds
   */
  public Duration heldPollsRetryAfter() {
    return heldPollsRetryAfter;
  }

  /**
   * Returns the proxies whose forwarding headers are believed, as given to the builder.
   *
   * @return addresses and CIDR ranges
   */
  public List<String> trustedProxies() {
    return trustedProxies;
  }

  /**
   * The engine's options: the same values, with the lookups called on the servlet request behind
   * the engine's request view.
   */
  EngineOptions toEngineOptions() {
    EngineOptions.Builder e =
        EngineOptions.builder()
            .baseRoute(baseRoute)
            .longPollingEnabled(longPollingEnabled)
            .longPollingInterval(longPollingInterval)
            .chunkedEncodingEnabled(chunkedEncodingEnabled)
            .maxActiveClients(maxActiveClients)
            .fanOutThreads(fanOutThreads)
            .recentWindowMessages(recentWindowMessages)
            .recentWindowChannels(recentWindowChannels)
            .recentWindowBytes(recentWindowBytes)
            .allowBroadcast(allowBroadcast)
            .allowGetForActions(allowGetForActions)
            .maxBodyBytes(maxBodyBytes)
            .maxChannels(maxChannels)
            .maxClientIdLength(maxClientIdLength)
            .maxHeldPollsPerUser(maxHeldPollsPerUser)
            .maxUnsentBytes(maxUnsentBytes)
            .closeHeldPollConnections(closeHeldPollConnections)
            .maxHeldPollsPerAddress(maxHeldPollsPerAddress)
            .heldPollsRetryAfter(heldPollsRetryAfter)
            .trustedProxies(trustedProxies);
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
    private String baseRoute = DEFAULT_BASE_ROUTE;
    private boolean longPollingEnabled = true;
    private Duration longPollingInterval = DEFAULT_LONG_POLLING_INTERVAL;
    private boolean chunkedEncodingEnabled = true;
    private int maxActiveClients = DEFAULT_MAX_ACTIVE_CLIENTS;
    private int fanOutThreads = DEFAULT_FAN_OUT_THREADS;
    private int recentWindowMessages = EngineOptions.DEFAULT_RECENT_WINDOW_MESSAGES;
    private int recentWindowChannels = EngineOptions.DEFAULT_RECENT_WINDOW_CHANNELS;
    private long recentWindowBytes = EngineOptions.DEFAULT_RECENT_WINDOW_BYTES;
    private boolean allowBroadcast;
    private boolean allowGetForActions;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxChannels = DEFAULT_MAX_CHANNELS;
    private int maxClientIdLength = DEFAULT_MAX_CLIENT_ID_LENGTH;
    private int maxHeldPollsPerUser = DEFAULT_MAX_HELD_POLLS_PER_USER;
    private int maxUnsentBytes = DEFAULT_MAX_UNSENT_BYTES;
    private boolean closeHeldPollConnections;
    private int maxHeldPollsPerAddress = DEFAULT_MAX_HELD_POLLS_PER_ADDRESS;
    private Duration heldPollsRetryAfter = DEFAULT_HELD_POLLS_RETRY_AFTER;
    private List<String> trustedProxies = DEFAULT_TRUSTED_PROXIES;
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
     * Sets the path prefix (within the web application) before {@code message-bus/}. Default {@code
     * /}. Normalised with {@link #normalizeBaseRoute}.
     *
     * @param route the route, e.g. {@code /api/}
     * @return this builder
     */
    public Builder baseRoute(String route) {
      this.baseRoute = normalizeBaseRoute(route);
      return this;
    }

    /**
     * Enables or disables holding polls open. Default true; false answers every poll at once.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder longPollingEnabled(boolean enabled) {
      this.longPollingEnabled = enabled;
      return this;
    }

    /**
     * Sets how long a poll is held at most before it is answered with what it has ({@code []}).
     * Default 25 s.
     *
     * @param interval positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder longPollingInterval(Duration interval) {
      Objects.requireNonNull(interval, "longPollingInterval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("longPollingInterval must be positive: " + interval);
      }
      this.longPollingInterval = interval;
      return this;
    }

    /**
     * Enables or disables streaming held polls with chunked encoding. Default true.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder chunkedEncodingEnabled(boolean enabled) {
      this.chunkedEncodingEnabled = enabled;
      return this;
    }

    /**
     * Sets the number of held polls from which new polls are answered at once (clients fall back to
     * polling). Default 1,000.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxActiveClients(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxActiveClients must be at least 1: " + max);
      }
      this.maxActiveClients = max;
      return this;
    }

    /**
     * Sets how many threads write each live message to the held polls. Each held poll belongs to
     * one of them, so a client still receives its messages in order; with 1 the bus's dispatch
     * thread writes them itself. Default {@link #DEFAULT_FAN_OUT_THREADS} (available processors, at
     * most 4).
     *
     * @param threads 1 to 64
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder fanOutThreads(int threads) {
      if (threads < 1 || threads > 64) {
        throw new IllegalArgumentException("fanOutThreads must be between 1 and 64: " + threads);
      }
      this.fanOutThreads = threads;
      return this;
    }

    /**
     * Sets how many of each channel's newest messages the transport keeps, as the bus delivered
     * them, so that a poll that is current or up to that many messages behind is answered without a
     * store round trip (the recent-message window; when it falls back to the store: {@code
     * docs/http.md}). Default {@value EngineOptions#DEFAULT_RECENT_WINDOW_MESSAGES}, capped by the
     * backend's {@code maxBacklogSize}; 0 turns the window off.
     *
     * @param messages 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder recentWindowMessages(int messages) {
      if (messages < 0) {
        throw new IllegalArgumentException("recentWindowMessages must be 0 or more: " + messages);
      }
      this.recentWindowMessages = messages;
      return this;
    }

    /**
     * Sets how many channels the recent-message window holds; past it the least recently used
     * channels are dropped (their polls ask the store). Default {@value
     * EngineOptions#DEFAULT_RECENT_WINDOW_CHANNELS}; 0 turns the window off.
     *
     * @param channels 0 or more
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder recentWindowChannels(int channels) {
      if (channels < 0) {
        throw new IllegalArgumentException("recentWindowChannels must be 0 or more: " + channels);
      }
      this.recentWindowChannels = channels;
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
      if (bytes < 0) {
        throw new IllegalArgumentException("recentWindowBytes must be 0 or more: " + bytes);
      }
      this.recentWindowBytes = bytes;
      return this;
    }

    /**
     * Serves the debug route {@code message-bus/broadcast?channel=..&data=..} that publishes a
     * string; POST only unless {@link #allowGetForActions}. Default false: never enable it in
     * production.
     *
     * @param allow the choice
     * @return this builder
     */
    public Builder allowBroadcast(boolean allow) {
      this.allowBroadcast = allow;
      return this;
    }

    /**
     * Lets the routes that change state — {@code message-bus/broadcast} and {@code
     * message-bus/_diagnostics/discover} and {@code .../hup/<host>/<pid>} — accept GET (and any
     * other method) as Ruby does (SPEC §4.10, §6.2). Default false: they answer 405 with {@code
     * Allow: POST} to anything but POST, because a GET can be sent cross-site by any page (an image
     * tag), which would let it publish or restart processes through a signed-in administrator's
     * browser (CSRF). The stock diagnostics page POSTs.
     *
     * @param allow the choice
     * @return this builder
     */
    public Builder allowGetForActions(boolean allow) {
      this.allowGetForActions = allow;
      return this;
    }

    /**
     * Sets the largest accepted request body (poll or broadcast); a larger one gets 413, before it
     * is read when its {@code Content-Length} says so. Default 64 KiB.
     *
     * @param bytes at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxBodyBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxBodyBytes must be at least 1: " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * Sets the most channels one poll may subscribe to; more get 400. It also bounds the fields of
     * any form the endpoint parses (a poll body, a broadcast query or body): at most this many plus
     * one ({@code __seq}), or 400. Default 1,000.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxChannels(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxChannels must be at least 1: " + max);
      }
      this.maxChannels = max;
      return this;
    }

    /**
     * Sets the longest accepted client id; a longer one gets 400. Default 128.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxClientIdLength(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxClientIdLength must be at least 1: " + max);
      }
      this.maxClientIdLength = max;
      return this;
    }

    /**
     * Sets the most polls one signed-in user (a non-null {@link #userIdLookup} result) may have
     * held at once, over all their tabs, devices and client ids; a poll that would be held beyond
     * it is answered 429 with {@code Retry-After} ({@link #heldPollsRetryAfter}). A new poll of a
     * client id the user already has held replaces that poll and is always accepted. Polls answered
     * at once (a backlog, {@code dlp=t}) are not counted. Default {@value
     * #DEFAULT_MAX_HELD_POLLS_PER_USER}; {@link Integer#MAX_VALUE} turns the limit off.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxHeldPollsPerUser(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxHeldPollsPerUser must be at least 1: " + max);
      }
      this.maxHeldPollsPerUser = max;
      return this;
    }

    /**
     * Sets how many bytes a stream may have waiting for a client that does not read (a frozen tab,
     * a client gone without closing its connection, a socket whose window is full). When a message
     * would take it over the cap, the server ends the stream instead, dropping the unsent messages:
     * the client polls again from the last message it received and reads the rest from the backlog,
     * so nothing is lost, and the server keeps at most this much per stream. One message is always
     * accepted, whatever its size. Default {@value #DEFAULT_MAX_UNSENT_BYTES}.
     *
     * @param bytes at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxUnsentBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxUnsentBytes must be at least 1: " + bytes);
      }
      this.maxUnsentBytes = bytes;
      return this;
    }

    /**
     * Sets whether a held long-poll reply says {@code Connection: close}, byte for byte as Ruby's
     * (SPEC §4.7), so that every answered poll costs the client a new TCP (in production, TLS)
     * connection. Default false: the connection stays open for the client's next poll (no client
     * depends on the close). Streams are not affected.
     *
     * @param close the choice
     * @return this builder
     */
    public Builder closeHeldPollConnections(boolean close) {
      this.closeHeldPollConnections = close;
      return this;
    }

    /**
     * Sets the most polls one anonymous client address may have held at once (as {@link
     * #maxHeldPollsPerUser}, for polls without a user). The address is the TCP peer's, or, when the
     * peer is one of the {@link #trustedProxies}, the client address those proxies report in {@code
     * Forwarded} or {@code X-Forwarded-For}. IPv6 addresses count per {@code /64} network (one host
     * usually owns a whole {@code /64}). Many users behind one NAT share an address: raise the
     * limit for such audiences. Default {@value #DEFAULT_MAX_HELD_POLLS_PER_ADDRESS}; {@link
     * Integer#MAX_VALUE} turns the limit off.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxHeldPollsPerAddress(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxHeldPollsPerAddress must be at least 1: " + max);
      }
      this.maxHeldPollsPerAddress = max;
      return this;
    }

    /**
     * Sets the {@code Retry-After} of the 429 answered to a poll over its identity's limit. The
     * stock JavaScript client waits at least 15 s whatever it says. Default 15 s.
     *
     * @param delay at least 1 second, in whole seconds
     * @return this builder
     * @throws IllegalArgumentException if below 1 second or not whole seconds
     */
    public Builder heldPollsRetryAfter(Duration delay) {
      Objects.requireNonNull(delay, "heldPollsRetryAfter");
      if (delay.getSeconds() < 1 || delay.getNano() != 0) {
        throw new IllegalArgumentException(
            "heldPollsRetryAfter must be a whole number of seconds, at least 1: " + delay);
      }
      this.heldPollsRetryAfter = delay;
      return this;
    }

    /**
     * Sets the reverse proxies whose {@code Forwarded} / {@code X-Forwarded-For} headers tell the
     * client address for {@link #maxHeldPollsPerAddress}: IP addresses ({@code 10.0.0.7}, {@code
     * ::1}) or CIDR ranges ({@code 10.0.0.0/8}). From the TCP peer backwards, each hop reported by
     * a trusted proxy is believed until the first one that is not trusted, which is the client.
     * From any other peer the headers are ignored, so clients cannot choose their address. Names
     * are not accepted (no DNS lookups). Default {@link #DEFAULT_TRUSTED_PROXIES} (loopback); an
     * empty list believes no header.
     *
     * @param proxies addresses and ranges
     * @return this builder
     * @throws IllegalArgumentException if one is not an IP address or CIDR range
     */
    public Builder trustedProxies(Collection<String> proxies) {
      Objects.requireNonNull(proxies, "trustedProxies");
      List<String> copy = List.copyOf(proxies);
      EngineOptions.builder().trustedProxies(copy); // checks every entry
      this.trustedProxies = copy;
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
     * Builds the options.
     *
     * @return the immutable options
     */
    public HttpTransportOptions build() {
      return new HttpTransportOptions(this);
    }
  }
}
