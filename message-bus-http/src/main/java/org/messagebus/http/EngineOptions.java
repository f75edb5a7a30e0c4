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

/**
 * What the {@link HttpEngine} does: routes, long polling, streaming, limits, and the lookups that
 * identify a web client, written against {@link HttpRequestView} so that any transport can call
 * them. Immutable; build with {@link #builder()}. The defaults are those of the Servlet module's
 * {@code HttpTransportOptions}, which documents every option for users; this class is what adapters
 * hand to the engine.
 *
 * <p><b>Size.</b> Over 500 lines because every option has a documented getter and builder setter;
 * it holds no logic.
 */
public final class EngineOptions {

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

  /** Builds {@link EngineOptions}. Not thread-safe. Setters check nothing the adapters check. */
  public static final class Builder {
    private String baseRoute = "/";
    private boolean longPollingEnabled = true;
    private Duration longPollingInterval = Duration.ofSeconds(25);
    private boolean chunkedEncodingEnabled = true;
    private int maxActiveClients = 1000;
    private int fanOutThreads = 1;
    private int recentWindowMessages = DEFAULT_RECENT_WINDOW_MESSAGES;
    private int recentWindowChannels = DEFAULT_RECENT_WINDOW_CHANNELS;
    private long recentWindowBytes = DEFAULT_RECENT_WINDOW_BYTES;
    private boolean allowBroadcast;
    private boolean allowGetForActions;
    private int maxBodyBytes = 64 * 1024;
    private int maxChannels = 1000;
    private int maxClientIdLength = 128;
    private int maxHeldPollsPerUser = 10;
    private int maxUnsentBytes = 256 * 1024;
    private boolean closeHeldPollConnections;
    private int maxHeldPollsPerAddress = 50;
    private Duration heldPollsRetryAfter = Duration.ofSeconds(15);
    private List<String> trustedProxies = List.of("127.0.0.0/8", "::1");
    private @Nullable Function<HttpRequestView, @Nullable Object> userIdLookup;
    private @Nullable Function<HttpRequestView, List<?>> groupIdsLookup;
    private @Nullable Function<HttpRequestView, @Nullable String> siteIdLookup;
    private @Nullable Function<HttpRequestView, Map<String, String>> extraResponseHeadersLookup;
    private @Nullable Predicate<HttpRequestView> isAdminLookup;
    private @Nullable ErrorHandler onError;
    private LongSupplier ticker = System::nanoTime;
    private boolean timerThread = true;

    private Builder() {}

    private Builder copy() {
      Builder c = new Builder();
      c.baseRoute = baseRoute;
      c.longPollingEnabled = longPollingEnabled;
      c.longPollingInterval = longPollingInterval;
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
      c.maxHeldPollsPerAddress = maxHeldPollsPerAddress;
      c.heldPollsRetryAfter = heldPollsRetryAfter;
      c.trustedProxies = trustedProxies;
      c.userIdLookup = userIdLookup;
      c.groupIdsLookup = groupIdsLookup;
      c.siteIdLookup = siteIdLookup;
      c.extraResponseHeadersLookup = extraResponseHeadersLookup;
      c.isAdminLookup = isAdminLookup;
      c.onError = onError;
      c.ticker = ticker;
      c.timerThread = timerThread;
      return c;
    }

    /**
     * Sets the base route (normalised: leading and trailing slash, runs collapsed). Default /.
     *
     * @param route the route
     * @return this builder
     */
    public Builder baseRoute(String route) {
      this.baseRoute =
          ("/" + Objects.requireNonNull(route, "baseRoute") + "/").replaceAll("/+", "/");
      return this;
    }

    /**
     * Enables holding polls. Default true.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder longPollingEnabled(boolean enabled) {
      this.longPollingEnabled = enabled;
      return this;
    }

    /**
     * Sets how long a poll is held at most. Default 25 s.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder longPollingInterval(Duration interval) {
      this.longPollingInterval = Objects.requireNonNull(interval, "longPollingInterval");
      return this;
    }

    /**
     * Enables streaming. Default true.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder chunkedEncodingEnabled(boolean enabled) {
      this.chunkedEncodingEnabled = enabled;
      return this;
    }

    /**
     * Sets the held polls from which polls are answered at once. Default 1,000.
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxActiveClients(int max) {
      this.maxActiveClients = max;
      return this;
    }

    /**
     * Sets the fan-out threads; 1 writes on the bus's dispatch thread. Default 1.
     *
     * @param threads the count
     * @return this builder
     */
    public Builder fanOutThreads(int threads) {
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
     * @param messages the count per channel
     * @return this builder
     */
    public Builder recentWindowMessages(int messages) {
      this.recentWindowMessages = messages;
      return this;
    }

    /**
     * Sets how many channels the recent-message window holds; past it the least recently used go.
     * Default {@value #DEFAULT_RECENT_WINDOW_CHANNELS}; 0 turns the window off.
     *
     * @param channels the count
     * @return this builder
     */
    public Builder recentWindowChannels(int channels) {
      this.recentWindowChannels = channels;
      return this;
    }

    /**
     * Sets how many bytes (messages as JSON on the wire) the recent-message window holds in all;
     * one channel holds at most a sixteenth of it. Default 16 MiB; 0 turns the window off.
     *
     * @param bytes the budget
     * @return this builder
     */
    public Builder recentWindowBytes(long bytes) {
      this.recentWindowBytes = bytes;
      return this;
    }

    /**
     * Serves the broadcast route. Default false.
     *
     * @param allow the choice
     * @return this builder
     */
    public Builder allowBroadcast(boolean allow) {
      this.allowBroadcast = allow;
      return this;
    }

    /**
     * Lets the broadcast, discover and hup routes accept GET as Ruby does. Default false (POST
     * only: a GET can be triggered cross-site by an image tag).
     *
     * @param allow the choice
     * @return this builder
     */
    public Builder allowGetForActions(boolean allow) {
      this.allowGetForActions = allow;
      return this;
    }

    /**
     * Sets the largest body. Default 64 KiB.
     *
     * @param bytes the limit
     * @return this builder
     */
    public Builder maxBodyBytes(int bytes) {
      this.maxBodyBytes = bytes;
      return this;
    }

    /**
     * Sets the most channels per poll. Default 1,000.
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxChannels(int max) {
      this.maxChannels = max;
      return this;
    }

    /**
     * Sets the longest client id. Default 128.
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxClientIdLength(int max) {
      this.maxClientIdLength = max;
      return this;
    }

    /**
     * Sets how many bytes a stream may have waiting for a client that does not read; one more
     * message ends the stream (the client polls again from the last message it received). One
     * message is always accepted, whatever its size. Default 256 KiB.
     *
     * @param bytes the cap
     * @return this builder
     */
    public Builder maxUnsentBytes(int bytes) {
      this.maxUnsentBytes = bytes;
      return this;
    }

    /**
     * Sets whether a held long-poll reply says {@code Connection: close}, byte for byte as Ruby's
     * (SPEC §4.7). Default false: the connection stays open for the client's next poll. Streams are
     * not affected.
     *
     * @param close the choice
     * @return this builder
     */
    public Builder closeHeldPollConnections(boolean close) {
      this.closeHeldPollConnections = close;
      return this;
    }

    /**
     * Sets the held-poll cap per user. Default 10.
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxHeldPollsPerUser(int max) {
      this.maxHeldPollsPerUser = max;
      return this;
    }

    /**
     * Sets the held-poll cap per address. Default 50.
     *
     * @param max the limit
     * @return this builder
     */
    public Builder maxHeldPollsPerAddress(int max) {
      this.maxHeldPollsPerAddress = max;
      return this;
    }

    /**
     * Sets the {@code Retry-After} of a 429. Default 15 s.
     *
     * @param delay whole seconds
     * @return this builder
     */
    public Builder heldPollsRetryAfter(Duration delay) {
      this.heldPollsRetryAfter = Objects.requireNonNull(delay, "heldPollsRetryAfter");
      return this;
    }

    /**
     * Sets the trusted proxies (IP literals and CIDR ranges). Default loopback.
     *
     * @param proxies the proxies
     * @return this builder
     * @throws IllegalArgumentException if one is not an address or range
     */
    public Builder trustedProxies(List<String> proxies) {
      List<String> copy = List.copyOf(proxies);
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
     * Builds the options.
     *
     * @return the options
     */
    public EngineOptions build() {
      return new EngineOptions(this);
    }
  }
}
