// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The options of the WebSocket endpoint ({@link WebSocketEndpoint}), frozen: which origins may open
 * a socket, the keepalive, and the limits on what waits for a client and what a client may send.
 * The routes, identity lookups, {@code maxChannels}, {@code maxClientIdLength}, {@code
 * maxActiveClients} and the per-identity caps are the HTTP engine's ({@link EngineOptions}).
 */
public final class WebSocketOptions {

  /** Default of {@link Builder#pingInterval}: 30 seconds. */
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);

  /** Default of {@link Builder#maxQueuedBytes}: 256 KiB. */
  public static final int DEFAULT_MAX_QUEUED_BYTES = 256 * 1024;

  /** Default of {@link Builder#maxFrameBytes}: 64 KiB. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

  private final List<String> allowedOrigins;
  private final Duration pingInterval;
  private final int maxQueuedBytes;
  private final int maxFrameBytes;

  private WebSocketOptions(Builder b) {
    this.allowedOrigins = List.copyOf(b.allowedOrigins);
    this.pingInterval = b.pingInterval;
    this.maxQueuedBytes = b.maxQueuedBytes;
    this.maxFrameBytes = b.maxFrameBytes;
  }

  /**
   * Starts a builder with every default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the options with every default.
   *
   * @return the defaults
   */
  public static WebSocketOptions defaults() {
    return builder().build();
  }

  /**
   * Returns the origins allowed to open a socket, normalised ({@code scheme://host[:port]}, lower
   * case, default ports dropped); empty means the request's own origin only, {@code *} any.
   *
   * @return the allow-list
   */
  public List<String> allowedOrigins() {
    return allowedOrigins;
  }

  /**
   * Returns the interval between the server's pings.
   *
   * @return the interval
   */
  public Duration pingInterval() {
    return pingInterval;
  }

  /**
   * Returns how many bytes may wait for a client before it is closed as too slow.
   *
   * @return the limit in bytes
   */
  public int maxQueuedBytes() {
    return maxQueuedBytes;
  }

  /**
   * Returns the largest text message a client may send.
   *
   * @return the limit in bytes
   */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * Normalises an origin for comparison: {@code scheme://host[:port]} in lower case, without a
   * default port (80 for http and ws, 443 for https and wss) or trailing slash.
   *
   * @param origin the value of an {@code Origin} header or an allow-list entry
   * @return the normalised origin, or null when it is not an absolute URI with a host (e.g. {@code
   *     null}, which sandboxed pages send)
   */
  static @org.jspecify.annotations.Nullable String normalizeOrigin(String origin) {
    URI uri;
    try {
      uri = new URI(origin.trim());
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme();
    String host = uri.getHost();
    if (scheme == null || host == null) {
      return null;
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    int port = uri.getPort();
    if (port == defaultPort(scheme)) {
      port = -1;
    }
    return scheme + "://" + host.toLowerCase(Locale.ROOT) + (port < 0 ? "" : ":" + port);
  }

  static int defaultPort(String scheme) {
    return switch (scheme) {
      case "http", "ws" -> 80;
      case "https", "wss" -> 443;
      default -> -2;
    };
  }

  /** Builds {@link WebSocketOptions}; each setter validates at once. Not thread-safe. */
  public static final class Builder {
    private final List<String> allowedOrigins = new ArrayList<>();
    private Duration pingInterval = DEFAULT_PING_INTERVAL;
    private int maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;

    private Builder() {}

    /**
     * Sets the origins whose pages may open a socket. Browsers send cookies with a WebSocket
     * upgrade and CORS does not apply to it, so without this check any site could read a signed-in
     * user's targeted messages. Each entry is an origin such as {@code https://example.com} or
     * {@code http://localhost:8080}, or {@code *} for any origin. Default: empty, meaning the
     * origin of the request itself (the {@code Origin} header's host and port equal the {@code
     * Host} header's). An upgrade without an {@code Origin} header (not a browser) is always
     * allowed. A refused upgrade gets 403.
     *
     * @param origins the allow-list
     * @return this builder
     * @throws IllegalArgumentException if an entry is neither {@code *} nor an origin
     */
    public Builder allowedOrigins(List<String> origins) {
      Objects.requireNonNull(origins, "allowedOrigins");
      List<String> normalised = new ArrayList<>();
      for (String o : origins) {
        if (o == null) {
          throw new IllegalArgumentException("allowedOrigins must not contain null");
        }
        if (o.trim().equals("*")) {
          normalised.add("*");
          continue;
        }
        String n = normalizeOrigin(o);
        if (n == null) {
          throw new IllegalArgumentException(
              "allowedOrigins: not an origin (scheme://host[:port]) nor *: " + o);
        }
        normalised.add(n);
      }
      allowedOrigins.clear();
      allowedOrigins.addAll(normalised);
      return this;
    }

    /**
     * Sets how often the server pings each socket. A socket that has not answered the previous ping
     * with a pong when the next one is due is closed with {@link WebSocketSession#CLOSE_NO_PONG};
     * so a dead peer goes within two intervals. Browsers and the JDK answer pings by themselves.
     * Default {@link #DEFAULT_PING_INTERVAL} (30 s).
     *
     * @param interval at least 10 ms
     * @return this builder
     * @throws IllegalArgumentException if shorter
     */
    public Builder pingInterval(Duration interval) {
      Objects.requireNonNull(interval, "pingInterval");
      if (interval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("pingInterval must be at least 10 ms: " + interval);
      }
      this.pingInterval = interval;
      return this;
    }

    /**
     * Sets how many bytes of messages may wait for one client (beyond the frame being written). A
     * client that does not read fast enough to stay below is closed with {@link
     * WebSocketSession#CLOSE_SLOW_CONSUMER}, and its queue is dropped; it reconnects and resumes
     * from its positions, reading the rest from the backlog. One frame is always accepted, whatever
     * its size. Default {@link #DEFAULT_MAX_QUEUED_BYTES} (256 KiB).
     *
     * @param bytes at least 1,024
     * @return this builder
     * @throws IllegalArgumentException if smaller
     */
    public Builder maxQueuedBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("maxQueuedBytes must be at least 1024: " + bytes);
      }
      this.maxQueuedBytes = bytes;
      return this;
    }

    /**
     * Sets the largest text message a client may send; a larger one closes the socket with 1009.
     * Default {@link #DEFAULT_MAX_FRAME_BYTES} (64 KiB).
     *
     * @param bytes 128 to 16 MiB
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxFrameBytes(int bytes) {
      if (bytes < 128 || bytes > 16 * 1024 * 1024) {
        throw new IllegalArgumentException(
            "maxFrameBytes must be between 128 and 16777216: " + bytes);
      }
      this.maxFrameBytes = bytes;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public WebSocketOptions build() {
      return new WebSocketOptions(this);
    }
  }
}
