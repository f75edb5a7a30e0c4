// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A client of a message_bus HTTP endpoint (ours or Ruby's), on {@code java.net.http}: the Java twin
 * of Ruby's {@code MessageBus::HTTPClient} (SPEC §8), with its bugs fixed.
 *
 * <pre>{@code
 * try (MessageBusClient client = MessageBusClient.builder(URI.create("http://127.0.0.1:9292/")).build()) {
 *   client.subscribe("/chat", -1, m -> System.out.println(m.data()));
 *   ...
 * }
 * }</pre>
 *
 * <p>Positions: {@code -1} new messages only, {@code -2} the last message and new ones, {@code -N}
 * the last N-1 and new ones, {@code N >= 0} everything after message N. The client keeps each
 * channel's last message id and resumes from it after any failure or server restart, so nothing is
 * lost or delivered twice as long as the server's backlog still holds the messages.
 *
 * <p><b>Threads.</b> A started client sends one poll at a time; its steps and pauses run on one
 * daemon thread of its own, and no thread waits on a held poll. Listeners run on the callback
 * executor (by default one daemon thread, so each listener sees messages in order). Subscribing or
 * unsubscribing cuts the poll in flight short, at whatever stage it is, so the next one carries the
 * new channel set; what the cut poll had received but not yet delivered is dropped and fetched
 * again. Failed polls back off exponentially from {@code minPollInterval} up to {@code
 * maxPollInterval}; a 429 waits for {@code Retry-After} (never less than {@code minRetryAfter}).
 * All methods are thread-safe.
 *
 * <p>Fixes over Ruby: the base path of the URL is honoured; {@code dlp=t} is sent when long polling
 * is off; status codes and Content-Type are checked; every complete streamed piece of a read is
 * handled, escaped separators are un-escaped, and a JSON reply to a streaming request is parsed.
 *
 * <p>Inside: the {@link ChannelTable} holds subscriptions and positions, the {@link PollLoop} sends
 * polls through a {@link PollTransport} (here {@link JdkHttpTransport}) and paces them on a {@link
 * Scheduler}, the {@link Dispatcher} hands what arrives to the listeners. This file is about 500
 * lines because the public {@link Builder} must stay nested here (source compatibility) with a
 * documented setter and default constant per option; it holds no logic beyond wiring.
 */
public final class MessageBusClient implements AutoCloseable {

  /** Default of {@link Builder#minPollInterval}: 100 ms. */
  public static final Duration DEFAULT_MIN_POLL_INTERVAL = Duration.ofMillis(100);

  /** Default of {@link Builder#maxPollInterval}: 3 minutes. */
  public static final Duration DEFAULT_MAX_POLL_INTERVAL = Duration.ofMinutes(3);

  /** Default of {@link Builder#backgroundCallbackInterval}: 60 seconds. */
  public static final Duration DEFAULT_BACKGROUND_CALLBACK_INTERVAL = Duration.ofSeconds(60);

  /** Default of {@link Builder#minRetryAfter}: 15 seconds, as the JavaScript client. */
  public static final Duration DEFAULT_MIN_RETRY_AFTER = Duration.ofSeconds(15);

  /** Default of {@link Builder#requestTimeout}: 60 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Connect timeout of the HTTP client the client creates when none is given ({@link
   * Builder#httpClient}): 10 seconds.
   */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default of {@link Builder#longPolling}: true. */
  public static final boolean DEFAULT_LONG_POLLING = true;

  /** Default of {@link Builder#chunkedEncoding}: true. */
  public static final boolean DEFAULT_CHUNKED_ENCODING = true;

  /** Length in hex characters of the client id made when none is given: 32 (128 random bits). */
  public static final int DEFAULT_CLIENT_ID_LENGTH = 32;

  /** How the client reaches the server. */
  public enum Transport {
    /**
     * HTTP polls: long polling and streaming, or plain polling, as {@link Builder#longPolling} and
     * {@link Builder#chunkedEncoding} say. Works with every message_bus server (ours and Ruby's).
     */
    HTTP,
    /**
     * Server-Sent Events ({@code GET <baseUri>message-bus/<clientId>/sse}, a server of this
     * project) instead of polls: one connection stays open, each message arrives as its own event,
     * and when the server ends a stream the client reconnects after the stream's {@code retry:}
     * delay with {@code Last-Event-ID}, resuming every channel where it was. Extra {@link
     * Builder#header headers} are sent with it. When the server refuses the stream (404, 405, 501,
     * 503, or a reply that is not {@code text/event-stream}, e.g. a Ruby server) the client
     * long-polls from then on, as configured ({@link MessageBusClient#fellBackToPolling()} tells).
     */
    SERVER_SENT_EVENTS,
    /**
     * One WebSocket to {@code <baseUri>message-bus/<clientId>/ws} (our server with its WebSocket
     * endpoint enabled): the positions are sent once per connection and every message is pushed as
     * it is published. Extra {@link Builder#header headers} are sent with the upgrade; {@link
     * Builder#requestTimeout} bounds it. A socket that fails transiently (connection refused or
     * timed out, 503 or another 5xx, 429, a close with 1001, 1006, 1011, 4408 or 4429) is retried
     * after the backoff and resumes from the positions held; the failure count returns to zero when
     * a socket brings its first readable frame.
     *
     * <p>When the server shows it has no WebSocket there, the client long-polls from then on, as
     * configured ({@link MessageBusClient#fellBackToPolling()} tells): the upgrade answered with
     * 404 (endpoint not enabled, a Ruby server), 405, 426 (a proxy dropped the {@code Upgrade}
     * header), 501 (a container without WebSocket) or 200, or a socket closed with 4400, 1003 or
     * 1009 (the server will not take what the client sends). A 403 does not fall back: our server
     * answers it to an {@code Origin} header that is not allowed, a configuration error reported
     * through the {@link ClientErrorListener} on every attempt. {@link Builder#longPolling}, {@link
     * Builder#chunkedEncoding} and {@link Builder#backgroundCallbackInterval} apply to the polls
     * after a fallback only.
     */
    WEBSOCKET
  }

  /** Default of {@link Builder#transport}: {@link Transport#HTTP}. */
  public static final Transport DEFAULT_TRANSPORT = Transport.HTTP;

  /** The client's state. */
  public enum Status {
    /** Not polling. */
    STOPPED,
    /** Polling (or waiting for a first subscription). */
    STARTED
  }

  private final String clientId;
  private final ChannelTable table;
  private final PollLoop loop;
  private final Scheduler scheduler;
  private final boolean ownScheduler;
  private final @Nullable ExecutorService ownCallbacks;
  private final BooleanSupplier fellBack;

  private final ReentrantLock lifecycle = new ReentrantLock();
  private boolean closed; // guarded by lifecycle

  private MessageBusClient(Builder b, ClientOptions options) {
    this.clientId = options.clientId();
    this.table = new ChannelTable(b.lossListener);
    int id = DaemonThreads.nextId();
    Scheduler supplied = b.scheduler;
    this.ownScheduler = supplied == null;
    this.scheduler = supplied == null ? Scheduler.ownThread("message-bus-client-" + id) : supplied;

    Executor callbacks;
    if (b.callbackExecutor != null) {
      callbacks = b.callbackExecutor;
      this.ownCallbacks = null;
    } else {
      this.ownCallbacks =
          Executors.newSingleThreadExecutor(
              DaemonThreads.named("message-bus-client-callbacks-" + id));
      callbacks = ownCallbacks;
    }
    HttpClient http =
        b.httpClient != null
            ? b.httpClient
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
                .build();
    ObjectMapper mapper = new ObjectMapper();
    PollTransport polls = new JdkHttpTransport(http, options, mapper, scheduler);
    PollTransport transport;
    switch (b.transport) {
      case WEBSOCKET -> {
        JdkWebSocketTransport ws = new JdkWebSocketTransport(http, options, mapper, polls);
        transport = ws;
        this.fellBack = ws::fellBack;
      }
      case SERVER_SENT_EVENTS -> {
        SseTransport sse =
            new SseTransport(http, options, new ReplyDecoder(mapper), scheduler, polls);
        transport = sse;
        this.fellBack = sse::fellBack;
      }
      default -> {
        transport = polls;
        this.fellBack = () -> false;
      }
    }
    this.loop =
        new PollLoop(
            options,
            table,
            new Dispatcher(table, callbacks, b.errorListener),
            transport,
            scheduler,
            b.errorListener);
  }

  /**
   * Starts a builder for a client of the endpoint under {@code baseUri}: polls go to {@code
   * <baseUri>message-bus/<clientId>/poll}, the base path included.
   *
   * @param baseUri e.g. {@code http://127.0.0.1:9292/} or {@code https://example.com/forum/}
   * @return a new builder
   * @throws IllegalArgumentException if the URI is not http or https
   */
  public static Builder builder(URI baseUri) {
    return new Builder(baseUri);
  }

  // ---------------------------------------------------------------- subscriptions

  /**
   * Subscribes to a channel and starts the client if it is stopped. Subscribing again to a channel
   * adds the listener and moves the channel to the given position. The poll in flight is cut short
   * so that the next one carries the channel.
   *
   * @param channel the channel; must start with {@code /}
   * @param lastMessageId the position: -1 for new messages only, -N for the last N-1 and new ones,
   *     N >= 0 for everything after message N
   * @param listener receives the messages
   * @return a handle whose {@link ClientSubscription#unsubscribe()} removes this listener
   * @throws IllegalArgumentException if the channel does not start with {@code /}
   * @throws IllegalStateException if the client was closed
   */
  public ClientSubscription subscribe(String channel, long lastMessageId, ClientListener listener) {
    if (channel == null || !channel.startsWith("/")) {
      throw new IllegalArgumentException("channel must start with '/': " + channel);
    }
    Objects.requireNonNull(listener, "listener");
    lifecycle.lock();
    try {
      requireOpen();
      table.subscribe(channel, lastMessageId, listener);
      loop.channelsChanged();
      loop.start();
    } finally {
      lifecycle.unlock();
    }
    return new ClientSubscription(this, channel, listener);
  }

  /**
   * Subscribes to new messages of a channel: {@code subscribe(channel, -1, listener)}.
   *
   * @param channel the channel
   * @param listener receives the messages
   * @return the handle
   */
  public ClientSubscription subscribe(String channel, ClientListener listener) {
    return subscribe(channel, -1, listener);
  }

  /**
   * Removes a channel with all its listeners. The client stops when no channel is left.
   *
   * @param channel the channel
   */
  public void unsubscribe(String channel) {
    unsubscribe(channel, null);
  }

  /**
   * Removes one listener of a channel; the channel goes when its last listener goes, and the client
   * stops when no channel is left. The poll in flight is cut short.
   *
   * @param channel the channel
   * @param listener the listener, or null for all of them
   */
  public void unsubscribe(String channel, @Nullable ClientListener listener) {
    if (table.unsubscribe(channel, listener)) {
      loop.channelsChanged();
      loop.stopIfNoChannels();
    }
  }

  /**
   * Returns the last message id the client holds for each channel.
   *
   * @return channel to position, in subscription order
   */
  public Map<String, Long> positions() {
    return table.positions();
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts polling. Idempotent.
   *
   * @throws IllegalStateException if the client was closed
   */
  public void start() {
    lifecycle.lock();
    try {
      requireOpen();
      loop.start();
    } finally {
      lifecycle.unlock();
    }
  }

  /**
   * Stops polling: the poll in flight is aborted, and nothing it received is delivered from then
   * on. Idempotent.
   */
  public void stop() {
    loop.stop();
  }

  /** Stops and releases the client's own threads (not a supplied executor). Idempotent. */
  @Override
  public void close() {
    lifecycle.lock();
    try {
      closed = true;
      loop.stop();
    } finally {
      lifecycle.unlock();
    }
    if (ownScheduler) {
      scheduler.shutdown();
    }
    if (ownCallbacks != null) {
      ownCallbacks.shutdown();
    }
  }

  /**
   * Returns the state.
   *
   * @return STARTED while polling
   */
  public Status status() {
    return loop.isRunning() ? Status.STARTED : Status.STOPPED;
  }

  /**
   * Returns the client id sent in the poll URL.
   *
   * @return the id: 32 random hex characters unless one was given
   */
  public String clientId() {
    return clientId;
  }

  /**
   * Returns the number of failed polls in a row (0 after a success).
   *
   * @return consecutive failures
   */
  public int consecutiveFailures() {
    return loop.consecutiveFailures();
  }

  /**
   * Tells whether the server refused the chosen {@link Transport#SERVER_SENT_EVENTS} or {@link
   * Transport#WEBSOCKET} transport and the client long-polls (HTTP, as configured) instead, for the
   * rest of its life. The failure that decided it went to {@link ClientErrorListener#onPollFailed}
   * with a message ending "polling from now on".
   *
   * @return true once it fell back; always false for {@link Transport#HTTP}
   */
  public boolean fellBackToPolling() {
    return fellBack.getAsBoolean();
  }

  /**
   * Returns the number of successful polls.
   *
   * @return successes
   */
  public int successes() {
    return loop.successes();
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the client is closed");
    }
  }

  /** Builds a {@link MessageBusClient}; each setter documents its default. Not thread-safe. */
  public static final class Builder {
    private final URI baseUri;
    private @Nullable String clientId;
    private boolean longPolling = DEFAULT_LONG_POLLING;
    private boolean chunkedEncoding = DEFAULT_CHUNKED_ENCODING;
    private Duration minPollInterval = DEFAULT_MIN_POLL_INTERVAL;
    private Duration maxPollInterval = DEFAULT_MAX_POLL_INTERVAL;
    private Duration backgroundCallbackInterval = DEFAULT_BACKGROUND_CALLBACK_INTERVAL;
    private Duration minRetryAfter = DEFAULT_MIN_RETRY_AFTER;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private @Nullable HttpClient httpClient;
    private @Nullable Executor callbackExecutor;
    private ClientErrorListener errorListener = ClientErrorListener.NONE;
    private @Nullable ClientLossListener lossListener;
    private @Nullable Scheduler scheduler;
    private Transport transport = DEFAULT_TRANSPORT;

    private Builder(URI baseUri) {
      this.baseUri = ClientOptions.httpUri(baseUri);
    }

    /**
     * Sets the client id sent in the poll URL. Default: {@link #DEFAULT_CLIENT_ID_LENGTH} random
     * hex characters.
     *
     * @param id non-empty, without {@code /}
     * @return this builder
     * @throws IllegalArgumentException if empty or containing {@code /}
     */
    public Builder clientId(String id) {
      this.clientId = ClientOptions.clientId(id);
      return this;
    }

    /**
     * Chooses how the client reaches the server. Default {@link #DEFAULT_TRANSPORT} ({@link
     * Transport#HTTP}); {@link Transport#SERVER_SENT_EVENTS} and {@link Transport#WEBSOCKET} need a
     * server of this project (the latter with its WebSocket endpoint enabled) and fall back to long
     * polling when the server has no such endpoint ({@link MessageBusClient#fellBackToPolling()}).
     * Headers added with {@link #header} are sent with the upgrade request too.
     *
     * @param transport the transport
     * @return this builder
     */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /**
     * Enables or disables long polling. Default {@link #DEFAULT_LONG_POLLING}; false polls every
     * {@code backgroundCallbackInterval} with {@code dlp=t}.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder longPolling(boolean enabled) {
      this.longPolling = enabled;
      return this;
    }

    /**
     * Enables or disables streamed replies. Default {@link #DEFAULT_CHUNKED_ENCODING}; false sends
     * {@code Dont-Chunk}.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder chunkedEncoding(boolean enabled) {
      this.chunkedEncoding = enabled;
      return this;
    }

    /**
     * Sets the pause between successful long polls, and the start of the error backoff. Default
     * {@link #DEFAULT_MIN_POLL_INTERVAL} (100 ms).
     *
     * @param interval positive
     * @return this builder
     */
    public Builder minPollInterval(Duration interval) {
      this.minPollInterval = ClientOptions.positive("minPollInterval", interval);
      return this;
    }

    /**
     * Sets the longest pause of the error backoff. Default {@link #DEFAULT_MAX_POLL_INTERVAL} (3
     * minutes).
     *
     * @param interval positive
     * @return this builder
     */
    public Builder maxPollInterval(Duration interval) {
      this.maxPollInterval = ClientOptions.positive("maxPollInterval", interval);
      return this;
    }

    /**
     * Sets the pause between polls when long polling is disabled. Default {@link
     * #DEFAULT_BACKGROUND_CALLBACK_INTERVAL} (60 s).
     *
     * @param interval positive
     * @return this builder
     */
    public Builder backgroundCallbackInterval(Duration interval) {
      this.backgroundCallbackInterval =
          ClientOptions.positive("backgroundCallbackInterval", interval);
      return this;
    }

    /**
     * Sets the shortest wait after a 429 reply (a longer {@code Retry-After} is honoured). Default
     * {@link #DEFAULT_MIN_RETRY_AFTER} (15 s).
     *
     * @param delay positive
     * @return this builder
     */
    public Builder minRetryAfter(Duration delay) {
      this.minRetryAfter = ClientOptions.positive("minRetryAfter", delay);
      return this;
    }

    /**
     * Sets how long to wait for a reply's headers. Default {@link #DEFAULT_REQUEST_TIMEOUT} (60 s,
     * above the server's 25 s long-poll interval).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = ClientOptions.positive("requestTimeout", timeout);
      return this;
    }

    /**
     * Adds a request header sent with every poll (e.g. authentication). Default: none.
     *
     * @param name the header name
     * @param value the value
     * @return this builder
     * @throws IllegalArgumentException for {@code Content-Type} (the client sets it) and for what
     *     {@code java.net.http} will not send ({@code Host}, {@code Connection}, {@code
     *     Content-Length}, {@code Expect}, {@code Upgrade}, or an invalid name or value)
     */
    public Builder header(String name, String value) {
      ClientOptions.checkHeader(name, value);
      headers.put(name, value);
      return this;
    }

    /**
     * Sets the HTTP client. Default: a new HTTP/1.1 client with a connect timeout of {@link
     * #DEFAULT_CONNECT_TIMEOUT}. A supplied client is not closed.
     *
     * @param client the client
     * @return this builder
     */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "httpClient");
      return this;
    }

    /**
     * Sets the executor listeners run on. Default: one daemon thread owned by the client, so each
     * listener sees messages in order. A supplied executor is not shut down.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
      return this;
    }

    /**
     * Sets the listener told about failed polls and failing listeners. Default {@link
     * ClientErrorListener#NONE} (failures are still logged).
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder errorListener(ClientErrorListener listener) {
      this.errorListener = Objects.requireNonNull(listener, "errorListener");
      return this;
    }

    /**
     * Sets the listener told when the server reports messages of a subscribed channel as lost
     * (trimmed from its backlog before this client read them, or the channel's ids restarted).
     * Setting one makes every request ask for the server's loss signal ({@code __loss=1}, or {@code
     * "loss": true} in a WebSocket subscribe frame); without one the requests are the stock
     * client's. Default none.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder lossListener(ClientLossListener listener) {
      this.lossListener = Objects.requireNonNull(listener, "lossListener");
      return this;
    }

    /** Sets where the client's steps and pauses run, and its clock (tests). Not shut down. */
    Builder scheduler(Scheduler scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Builds the client (stopped until the first subscription or {@link #start()}).
     *
     * @return the client
     * @throws IllegalArgumentException if {@code minPollInterval > maxPollInterval}
     */
    public MessageBusClient build() {
      ClientOptions options =
          new ClientOptions(
              ClientOptions.pollBase(baseUri),
              clientId != null ? clientId : ClientOptions.randomClientId(DEFAULT_CLIENT_ID_LENGTH),
              longPolling,
              chunkedEncoding,
              minPollInterval,
              maxPollInterval,
              backgroundCallbackInterval,
              minRetryAfter,
              requestTimeout,
              headers,
              lossListener != null);
      return new MessageBusClient(this, options);
    }
  }
}
