// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.OptionChecks;

/**
 * What the {@link HttpEngine} does: routes, long polling, streaming, limits, and the lookups that
 * identify a web client, written against {@link HttpRequestView} so that any transport can call
 * them. Immutable; build with {@link #builder()}. Every setter documents its option and default and
 * rejects a bad value at once; the Servlet module's {@code HttpTransportOptions} forwards to these
 * setters, so the checks and the defaults live here only.
 *
 * <p><b>Size.</b> Over 500 lines because every option has a documented getter and builder setter
 * (the full user documentation of each option is here); it holds no logic beyond the setters'
 * checks.
 */
public final class EngineOptions {

  /** Default of {@link Builder#baseRoute}: {@code /}, so the endpoint is {@code /message-bus/}. */
  public static final String DEFAULT_BASE_ROUTE = "/";

  /** Default of {@link Builder#longPollingInterval}: 25 seconds. */
  public static final Duration DEFAULT_LONG_POLLING_INTERVAL = Duration.ofSeconds(25);

  /**
   * The stock JavaScript client's {@code callbackInterval}, 15 seconds: the floor of {@link
   * Builder#longPollingMinHold}. That client starts its next poll {@code callbackInterval} after
   * the start of one that brought nothing, so a poll held at least this long is followed by the
   * next at once, and one held for less would leave the client without a held poll for the rest.
   */
  public static final Duration LONG_POLLING_MIN_HOLD_FLOOR = Duration.ofSeconds(15);

  /**
   * Default of {@link Builder#longPollingMinHold}: 15 seconds ({@link
   * #LONG_POLLING_MIN_HOLD_FLOOR}), so with the default interval each held poll lasts between 15
   * and 25 seconds.
   */
  public static final Duration DEFAULT_LONG_POLLING_MIN_HOLD = LONG_POLLING_MIN_HOLD_FLOOR;

  /** Default of {@link Builder#maxActiveClients}: 1,000 held polls. */
  public static final int DEFAULT_MAX_ACTIVE_CLIENTS = 1000;

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

  /** Default of {@link Builder#sseHeartbeatInterval}: 15 seconds. */
  public static final Duration DEFAULT_SSE_HEARTBEAT_INTERVAL = Duration.ofSeconds(15);

  /** Default of {@link Builder#sseMaxDuration}: 5 minutes. */
  public static final Duration DEFAULT_SSE_MAX_DURATION = Duration.ofMinutes(5);

  /**
   * Default of {@link Builder#sseMinDuration} with the default {@link #DEFAULT_SSE_MAX_DURATION}: 4
   * minutes. Unset, the minimum is four fifths of whatever {@link Builder#sseMaxDuration} is.
   */
  public static final Duration DEFAULT_SSE_MIN_DURATION = Duration.ofMinutes(4);

  /** Default of {@link Builder#sseRetry}: 1 second. */
  public static final Duration DEFAULT_SSE_RETRY = Duration.ofSeconds(1);

  /** The reply an {@link ErrorHandler} chooses: status, plain-text body, headers. */
  public record ErrorReply(int status, String body, Map<String, String> headers) {
    /**
     * Copies the headers.
     *
     * @param status the HTTP status
     * @param body the body
     * @param headers the headers, or null for none
     */
    public ErrorReply {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
  }

  /** Chooses the reply to a request whose handling failed on the server's side. */
  @FunctionalInterface
  public interface ErrorHandler {
    /**
     * Returns the reply, or null for the default.
     *
     * @param request the request
     * @param error what failed
     * @return the reply, or null
     */
    @Nullable ErrorReply handle(HttpRequestView request, Exception error);
  }

  /** Default of {@link Builder#recentWindowMessages}: 64 messages per channel. */
  public static final int DEFAULT_RECENT_WINDOW_MESSAGES = 64;

  /** Default of {@link Builder#recentWindowChannels}: 10,000 channels. */
  public static final int DEFAULT_RECENT_WINDOW_CHANNELS = 10_000;

  /** Default of {@link Builder#recentWindowBytes}: 16 MiB in all. */
  public static final long DEFAULT_RECENT_WINDOW_BYTES = 16L * 1024 * 1024;

  private final Builder b;
  private final List<ClientAddress.Range> trustedProxyRanges;

  private EngineOptions(Builder b) {
    this.b = b.copy();
    Duration sseMin = b.sseMinDuration;
    if (sseMin != null && sseMin.compareTo(b.sseMaxDuration) > 0) {
      throw new IllegalArgumentException(
          "sseMinDuration ("
              + sseMin
              + ") must not be above sseMaxDuration ("
              + b.sseMaxDuration
              + "); equal to it, every stream lasts exactly sseMaxDuration");
    }
    this.trustedProxyRanges = ClientAddress.ranges("trustedProxies", b.trustedProxies);
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
   * Starts a builder holding these options, to change some of them.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return b.copy();
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
   * Returns the normalised base route.
   *
   * @return e.g. {@code /}
   */
  public String baseRoute() {
    return b.baseRoute;
  }

  /**
   * Returns whether polls may be held.
   *
   * @return the choice
   */
  public boolean longPollingEnabled() {
    return b.longPollingEnabled;
  }

  /**
   * Returns how long a poll is held at most.
   *
   * @return the interval
   */
  public Duration longPollingInterval() {
    return b.longPollingInterval;
  }

  /**
   * Returns the shortest hold of a held poll: each is held for a time drawn between this and {@link
   * #longPollingInterval()}.
   *
   * @return the lower bound (at or above the interval: every poll is held exactly the interval)
   */
  public Duration longPollingMinHold() {
    return b.longPollingMinHold;
  }

  /**
   * Returns how many bytes a held poll may have waiting for its client to read them.
   *
   * @return the cap in bytes
   */
  public int maxUnsentBytes() {
    return b.maxUnsentBytes;
  }

  /**
   * Returns whether a held long-poll reply says {@code Connection: close}, as Ruby's does.
   *
   * @return the choice
   */
  public boolean closeHeldPollConnections() {
    return b.closeHeldPollConnections;
  }

  /**
   * Returns whether the lookups are declared never to block.
   *
   * @return the declaration
   */
  public boolean nonBlockingLookups() {
    return b.nonBlockingLookups;
  }

  /**
   * Returns whether held polls may stream.
   *
   * @return the choice
   */
  public boolean chunkedEncodingEnabled() {
    return b.chunkedEncodingEnabled;
  }

  /**
   * Returns the number of held polls from which polls are answered at once.
   *
   * @return the limit
   */
  public int maxActiveClients() {
    return b.maxActiveClients;
  }

  /**
   * Returns the number of fan-out threads.
   *
   * @return the count
   */
  public int fanOutThreads() {
    return b.fanOutThreads;
  }

  /**
   * Returns whether the broadcast route is served.
   *
   * @return the choice
   */
  public boolean allowBroadcast() {
    return b.allowBroadcast;
  }

  /**
   * Returns whether the routes that change state (broadcast, diagnostics discover and hup) also
   * accept GET; by default they accept POST only.
   *
   * @return the choice
   */
  public boolean allowGetForActions() {
    return b.allowGetForActions;
  }

  /**
   * Returns the largest accepted body.
   *
   * @return bytes
   */
  public int maxBodyBytes() {
    return b.maxBodyBytes;
  }

  /**
   * Returns the most channels per poll.
   *
   * @return the limit
   */
  public int maxChannels() {
    return b.maxChannels;
  }

  /**
   * Returns the longest client id.
   *
   * @return characters
   */
  public int maxClientIdLength() {
    return b.maxClientIdLength;
  }

  /**
   * Returns the held-poll cap per user.
   *
   * @return the limit
   */
  public int maxHeldPollsPerUser() {
    return b.maxHeldPollsPerUser;
  }

  /**
   * Returns the held-poll cap per anonymous address.
   *
   * @return the limit
   */
  public int maxHeldPollsPerAddress() {
    return b.maxHeldPollsPerAddress;
  }

  /**
   * Returns the {@code Retry-After} of a 429.
   *
   * @return whole seconds
   */
  public Duration heldPollsRetryAfter() {
    return b.heldPollsRetryAfter;
  }

  /**
   * Returns the trusted proxies.
   *
   * @return addresses and ranges
   */
  public List<String> trustedProxies() {
    return b.trustedProxies;
  }

  List<ClientAddress.Range> trustedProxyRanges() {
    return trustedProxyRanges;
  }

  /**
   * Returns the user id lookup.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpRequestView, @Nullable Object> userIdLookup() {
    return b.userIdLookup;
  }

  /**
   * Returns the group ids lookup.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpRequestView, List<?>> groupIdsLookup() {
    return b.groupIdsLookup;
  }

  /**
   * Returns the site id lookup.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpRequestView, @Nullable String> siteIdLookup() {
    return b.siteIdLookup;
  }

  /**
   * Returns the extra response headers lookup.
   *
   * @return the lookup, or null
   */
  public @Nullable Function<HttpRequestView, Map<String, String>> extraResponseHeadersLookup() {
    return b.extraResponseHeadersLookup;
  }

  /**
   * Returns the administrator lookup.
   *
   * @return the lookup, or null
   */
  public @Nullable Predicate<HttpRequestView> isAdminLookup() {
    return b.isAdminLookup;
  }

  /**
   * Returns whether the diagnostics page shows this process's live dashboard ({@code
   * _diagnostics/stats.json}).
   *
   * @return the choice
   */
  public boolean dashboardEnabled() {
    return b.dashboardEnabled;
  }

  /**
   * Returns the error handler.
   *
   * @return the handler, or null
   */
  public @Nullable ErrorHandler onError() {
    return b.onError;
  }

  /**
   * Returns the ticker the long-polling timeouts are measured on.
   *
   * @return nanoseconds, as {@link System#nanoTime}
   */
  public LongSupplier ticker() {
    return b.ticker;
  }

  /**
   * Returns how many recent messages per channel the engine keeps to answer polls without the
   * store.
   *
   * @return the count; 0 turns the window off
   */
  public int recentWindowMessages() {
    return b.recentWindowMessages;
  }

  /**
   * Returns how many channels the recent-message window holds at most.
   *
   * @return the count; 0 turns the window off
   */
  public int recentWindowChannels() {
    return b.recentWindowChannels;
  }

  /**
   * Returns how many bytes of messages the recent-message window holds at most.
   *
   * @return the bytes; 0 turns the window off
   */
  public long recentWindowBytes() {
    return b.recentWindowBytes;
  }

  /**
   * Returns whether the engine runs its own timer thread.
   *
   * @return false when the caller advances the timeouts ({@link HttpEngine#expireTimeouts})
   */
  public boolean timerThread() {
    return b.timerThread;
  }

  /**
   * Returns whether {@code GET <prefix><clientId>/sse} opens a Server-Sent Events stream.
   *
   * @return the choice
   */
  public boolean sseEnabled() {
    return b.sseEnabled;
  }

  /**
   * Returns how often an open Server-Sent Events stream sends a comment line.
   *
   * @return the interval
   */
  public Duration sseHeartbeatInterval() {
    return b.sseHeartbeatInterval;
  }

  /**
   * Returns how long a Server-Sent Events stream stays open before the server ends it.
   *
   * @return the duration
   */
  public Duration sseMaxDuration() {
    return b.sseMaxDuration;
  }

  /**
   * Returns the shortest life of a Server-Sent Events stream: each is ended after a time drawn
   * uniformly between this and {@link #sseMaxDuration()}.
   *
   * @return the lower bound (equal to the maximum: every stream lasts exactly the maximum)
   */
  public Duration sseMinDuration() {
    Duration min = b.sseMinDuration;
    return min != null ? min : b.sseMaxDuration.minus(b.sseMaxDuration.dividedBy(5));
  }

  /**
   * Returns the reconnection delay a Server-Sent Events stream tells the browser ({@code retry:}).
   *
   * @return the delay
   */
  public Duration sseRetry() {
    return b.sseRetry;
  }

  /** Builds {@link EngineOptions}. Not thread-safe. */
  public static final class Builder {
    private String baseRoute = DEFAULT_BASE_ROUTE;
    private boolean longPollingEnabled = true;
    private Duration longPollingInterval = DEFAULT_LONG_POLLING_INTERVAL;
    private Duration longPollingMinHold = DEFAULT_LONG_POLLING_MIN_HOLD;
    private boolean chunkedEncodingEnabled = true;
    private int maxActiveClients = DEFAULT_MAX_ACTIVE_CLIENTS;
    private int fanOutThreads = 1;
    private int recentWindowMessages = DEFAULT_RECENT_WINDOW_MESSAGES;
    private int recentWindowChannels = DEFAULT_RECENT_WINDOW_CHANNELS;
    private long recentWindowBytes = DEFAULT_RECENT_WINDOW_BYTES;
    private boolean allowBroadcast;
    private boolean allowGetForActions;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int maxChannels = DEFAULT_MAX_CHANNELS;
    private int maxClientIdLength = DEFAULT_MAX_CLIENT_ID_LENGTH;
    private int maxHeldPollsPerUser = DEFAULT_MAX_HELD_POLLS_PER_USER;
    private int maxUnsentBytes = DEFAULT_MAX_UNSENT_BYTES;
    private boolean closeHeldPollConnections;
    private boolean nonBlockingLookups;
    private int maxHeldPollsPerAddress = DEFAULT_MAX_HELD_POLLS_PER_ADDRESS;
    private Duration heldPollsRetryAfter = DEFAULT_HELD_POLLS_RETRY_AFTER;
    private List<String> trustedProxies = DEFAULT_TRUSTED_PROXIES;
    private @Nullable Function<HttpRequestView, @Nullable Object> userIdLookup;
    private @Nullable Function<HttpRequestView, List<?>> groupIdsLookup;
    private @Nullable Function<HttpRequestView, @Nullable String> siteIdLookup;
    private @Nullable Function<HttpRequestView, Map<String, String>> extraResponseHeadersLookup;
    private @Nullable Predicate<HttpRequestView> isAdminLookup;
    private boolean dashboardEnabled = true;
    private @Nullable ErrorHandler onError;
    private LongSupplier ticker = System::nanoTime;
    private boolean timerThread = true;
    private boolean sseEnabled = true;
    private Duration sseHeartbeatInterval = DEFAULT_SSE_HEARTBEAT_INTERVAL;
    private Duration sseMaxDuration = DEFAULT_SSE_MAX_DURATION;
    private @Nullable Duration sseMinDuration;
    private Duration sseRetry = DEFAULT_SSE_RETRY;

    private Builder() {}

    private Builder copy() {
      Builder c = new Builder();
      c.baseRoute = baseRoute;
      c.longPollingEnabled = longPollingEnabled;
      c.longPollingInterval = longPollingInterval;
      c.longPollingMinHold = longPollingMinHold;
      c.chunkedEncodingEnabled = chunkedEncodingEnabled;
      c.maxActiveClients = maxActiveClients;
      c.fanOutThreads = fanOutThreads;
      c.recentWindowMessages = recentWindowMessages;
      c.recentWindowChannels = recentWindowChannels;
      c.recentWindowBytes = recentWindowBytes;
      c.allowBroadcast = allowBroadcast;
      c.allowGetForActions = allowGetForActions;
      c.maxBodyBytes = maxBodyBytes;
      c.maxChannels = maxChannels;
      c.maxClientIdLength = maxClientIdLength;
      c.maxHeldPollsPerUser = maxHeldPollsPerUser;
      c.maxUnsentBytes = maxUnsentBytes;
      c.closeHeldPollConnections = closeHeldPollConnections;
      c.nonBlockingLookups = nonBlockingLookups;
      c.maxHeldPollsPerAddress = maxHeldPollsPerAddress;
      c.heldPollsRetryAfter = heldPollsRetryAfter;
      c.trustedProxies = trustedProxies;
      c.userIdLookup = userIdLookup;
      c.groupIdsLookup = groupIdsLookup;
      c.siteIdLookup = siteIdLookup;
      c.extraResponseHeadersLookup = extraResponseHeadersLookup;
      c.isAdminLookup = isAdminLookup;
      c.dashboardEnabled = dashboardEnabled;
      c.onError = onError;
      c.ticker = ticker;
      c.timerThread = timerThread;
      c.sseEnabled = sseEnabled;
      c.sseHeartbeatInterval = sseHeartbeatInterval;
      c.sseMaxDuration = sseMaxDuration;
      c.sseMinDuration = sseMinDuration;
      c.sseRetry = sseRetry;
      return c;
    }

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
      this.longPollingInterval = OptionChecks.positive("longPollingInterval", interval);
      return this;
    }

    /**
     * Sets the shortest hold of a held poll (long poll or stream). Each held poll without messages
     * is answered after a time drawn uniformly between this and {@link #longPollingInterval}, so
     * clients that polled together (a page load, a deployment, a reconnection after an outage) do
     * not all come back in the same instant every interval: their re-polls spread over the
     * difference, and further with every round. Never below {@link #LONG_POLLING_MIN_HOLD_FLOOR}
     * (15 s, the stock JavaScript client's {@code callbackInterval}: a poll held that long is
     * followed by the next at once, so the stock client behaves exactly as with a fixed hold). When
     * the interval is not above this bound, every poll is held exactly the interval (Ruby's
     * behaviour): set it to the interval to turn the spread off. Default 15 s (see {@code
     * docs/operations.md}, "Storms").
     *
     * @param minHold at least 15 s
     * @return this builder
     * @throws IllegalArgumentException if below 15 s
     */
    public Builder longPollingMinHold(Duration minHold) {
      Objects.requireNonNull(minHold, "longPollingMinHold");
      if (minHold.compareTo(LONG_POLLING_MIN_HOLD_FLOOR) < 0) {
        throw new IllegalArgumentException(
            "longPollingMinHold must be at least 15s (the stock JavaScript client's"
                + " callbackInterval): "
                + minHold);
      }
      this.longPollingMinHold = minHold;
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
      this.maxActiveClients = OptionChecks.atLeastOne("maxActiveClients", max);
      return this;
    }

    /**
     * Sets how many threads write each live message to the held polls. Each held poll belongs to
     * one of them, so a client still receives its messages in order; with 1 the bus's dispatch
     * thread writes them itself. Default 1 here; the Servlet module's options default to the
     * available processors, at most 4.
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
     * Sets how many of each channel's newest messages the engine keeps, as its firehose delivered
     * them, to answer polls that are current or that many messages behind without asking the store
     * (see {@code docs/http.md}, "Recent-message window"). Default {@value
     * #DEFAULT_RECENT_WINDOW_MESSAGES}, capped by the backend's {@code maxBacklogSize}; 0 turns the
     * window off (every poll asks the store).
     *
     * @param messages the count per channel, 0 or more
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
     * Sets how many channels the recent-message window holds; past it the least recently used go.
     * Default {@value #DEFAULT_RECENT_WINDOW_CHANNELS}; 0 turns the window off.
     *
     * @param channels the count, 0 or more
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
     * @param bytes the budget, 0 or more
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
      this.maxBodyBytes = OptionChecks.atLeastOne("maxBodyBytes", bytes);
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
      this.maxChannels = OptionChecks.atLeastOne("maxChannels", max);
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
      this.maxClientIdLength = OptionChecks.atLeastOne("maxClientIdLength", max);
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
      this.maxUnsentBytes = OptionChecks.atLeastOne("maxUnsentBytes", bytes);
      return this;
    }

    /**
     * Sets whether a held long-poll reply says {@code Connection: close}, byte for byte as Ruby's
     * (SPEC §4.7), so that every answered poll costs the client a new TCP (in production, TLS)
     * connection. Default false: the connection stays open for the client's next poll (no client
     * depends on the close). A stream's end closes its connection when this is set; otherwise the
     * transport keeps it where it can (Jetty with {@code DeadlineHttpConnectionFactory}) and the
     * request allows it.
     *
     * @param close the choice
     * @return this builder
     */
    public Builder closeHeldPollConnections(boolean close) {
      this.closeHeldPollConnections = close;
      return this;
    }

    /**
     * Declares that the lookups ({@link #userIdLookup}, {@link #groupIdsLookup}, {@link
     * #siteIdLookup}, {@link #extraResponseHeadersLookup}, {@link #isAdminLookup}) and the bus's
     * client message filters never block (no database, no remote call). A transport that can run a
     * request on its I/O thread (the Jetty core handler of {@code MessageBusServer}) then answers
     * or holds a poll there, without handing it to a worker thread, whenever the recent-message
     * window answers it. Without lookups and filters this holds already; with them, the default
     * false keeps every poll on a worker thread. Store reads always run on a worker thread.
     *
     * @param nonBlocking the declaration
     * @return this builder
     */
    public Builder nonBlockingLookups(boolean nonBlocking) {
      this.nonBlockingLookups = nonBlocking;
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
      this.maxHeldPollsPerUser = OptionChecks.atLeastOne("maxHeldPollsPerUser", max);
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
      this.maxHeldPollsPerAddress = OptionChecks.atLeastOne("maxHeldPollsPerAddress", max);
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
    public Builder trustedProxies(List<String> proxies) {
      List<String> copy = List.copyOf(Objects.requireNonNull(proxies, "trustedProxies"));
      ClientAddress.ranges("trustedProxies", copy);
      this.trustedProxies = copy;
      return this;
    }

    /**
     * Sets the user id lookup. Default none.
     *
     * @param lookup the lookup, or null
     * @return this builder
     */
    public Builder userIdLookup(@Nullable Function<HttpRequestView, @Nullable Object> lookup) {
      this.userIdLookup = lookup;
      return this;
    }

    /**
     * Sets the group ids lookup. Default none.
     *
     * @param lookup the lookup, or null
     * @return this builder
     */
    public Builder groupIdsLookup(@Nullable Function<HttpRequestView, List<?>> lookup) {
      this.groupIdsLookup = lookup;
      return this;
    }

    /**
     * Sets the site id lookup. Default none (the bus's own).
     *
     * @param lookup the lookup, or null
     * @return this builder
     */
    public Builder siteIdLookup(@Nullable Function<HttpRequestView, @Nullable String> lookup) {
      this.siteIdLookup = lookup;
      return this;
    }

    /**
     * Sets the extra response headers lookup. Default none.
     *
     * @param lookup the lookup, or null
     * @return this builder
     */
    public Builder extraResponseHeadersLookup(
        @Nullable Function<HttpRequestView, Map<String, String>> lookup) {
      this.extraResponseHeadersLookup = lookup;
      return this;
    }

    /**
     * Sets the administrator lookup (diagnostics). Default none: diagnostics answer 403.
     *
     * @param lookup the lookup, or null
     * @return this builder
     */
    public Builder isAdminLookup(@Nullable Predicate<HttpRequestView> lookup) {
      this.isAdminLookup = lookup;
      return this;
    }

    /**
     * Shows this process's live dashboard on the diagnostics page (admins only, like the page):
     * counters fed by the bus's and the engine's observation hooks, a one-second sampler thread and
     * {@code _diagnostics/stats.json}. Default true; it only exists with an {@link #isAdminLookup}.
     * False keeps the page's process list and answers {@code stats.json} 404; the engine then adds
     * no observer to the bus or to itself and starts no sampler, so the dashboard costs nothing.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder dashboardEnabled(boolean enabled) {
      this.dashboardEnabled = enabled;
      return this;
    }

    /**
     * Sets the handler of server-side failures. Default none.
     *
     * @param handler the handler, or null
     * @return this builder
     */
    public Builder onError(@Nullable ErrorHandler handler) {
      this.onError = handler;
      return this;
    }

    /**
     * Sets the ticker of the long-polling timeouts. Default {@link System#nanoTime}.
     *
     * @param ticker nanoseconds
     * @return this builder
     */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Runs a timer thread that expires held polls. Default true; false leaves it to {@link
     * HttpEngine#expireTimeouts} (tests with a fake ticker).
     *
     * @param run the choice
     * @return this builder
     */
    public Builder timerThread(boolean run) {
      this.timerThread = run;
      return this;
    }

    /**
     * Serves Server-Sent Events on {@code GET <prefix><clientId>/sse}. Default true.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder sseEnabled(boolean enabled) {
      this.sseEnabled = enabled;
      return this;
    }

    /**
     * Sets how often an open Server-Sent Events stream sends a comment line. Default 15 s.
     *
     * @param interval positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder sseHeartbeatInterval(Duration interval) {
      this.sseHeartbeatInterval = OptionChecks.positive("sseHeartbeatInterval", interval);
      return this;
    }

    /**
     * Sets how long a Server-Sent Events stream stays open at most; each is ended after a time
     * drawn between {@link #sseMinDuration} and this. Default 5 minutes.
     *
     * @param duration positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder sseMaxDuration(Duration duration) {
      this.sseMaxDuration = OptionChecks.positive("sseMaxDuration", duration);
      return this;
    }

    /**
     * Sets the shortest life of a Server-Sent Events stream. Each stream is ended after a time
     * drawn uniformly between this and {@link #sseMaxDuration}, so that streams opened together (a
     * page load of everyone, a deployment, a reconnection after an outage) do not all end, and
     * reconnect, in the same instant every {@code sseMaxDuration}: their reconnections spread over
     * the difference, and further with every round. Equal to {@code sseMaxDuration}, every stream
     * lasts exactly that (no spread). Default four fifths of {@code sseMaxDuration} ({@link
     * #DEFAULT_SSE_MIN_DURATION}, 4 minutes, with the default 5; see {@code docs/operations.md},
     * "Storms"). Checked against {@code sseMaxDuration} by {@link #build()}.
     *
     * @param duration positive, not above {@code sseMaxDuration}
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder sseMinDuration(Duration duration) {
      this.sseMinDuration = OptionChecks.positive("sseMinDuration", duration);
      return this;
    }

    /**
     * Sets the reconnection delay sent as {@code retry:}. Default 1 s.
     *
     * @param delay zero or more, in whole milliseconds
     * @return this builder
     * @throws IllegalArgumentException if negative or finer than milliseconds
     */
    public Builder sseRetry(Duration delay) {
      Objects.requireNonNull(delay, "sseRetry");
      if (delay.isNegative() || delay.toNanosPart() % 1_000_000 != 0) {
        throw new IllegalArgumentException(
            "sseRetry must be zero or more whole milliseconds: " + delay);
      }
      this.sseRetry = delay;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException if {@link #sseMinDuration} is above {@link #sseMaxDuration}
     */
    public EngineOptions build() {
      return new EngineOptions(this);
    }
  }
}
