package org.messagebus.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p><b>Threads.</b> One polling thread per started client sends one request at a time; listeners
 * run on the callback executor (by default one daemon thread, so each listener sees messages in
 * order). Subscribing or unsubscribing aborts the poll in flight so the next one carries the new
 * channel set. Failed polls back off exponentially from {@code minPollInterval} up to {@code
 * maxPollInterval}; a 429 waits for {@code Retry-After} (never less than {@code minRetryAfter}).
 * All methods are thread-safe.
 *
 * <p>Fixes over Ruby: the base path of the URL is honoured; {@code dlp=t} is sent when long polling
 * is off; status codes and Content-Type are checked; every complete streamed piece of a read is
 * handled, escaped separators are un-escaped, and a JSON reply to a streaming request is parsed.
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

  /** The client's state. */
  public enum Status {
    /** Not polling. */
    STOPPED,
    /** Polling (or waiting for a first subscription). */
    STARTED
  }

  private static final Logger LOG = LoggerFactory.getLogger(MessageBusClient.class);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();
  private static final String STATUS_CHANNEL = "/__status";

  private final URI pollUri;
  private final String clientId;
  private final boolean longPolling;
  private final boolean chunkedEncoding;
  private final Duration minPollInterval;
  private final Duration maxPollInterval;
  private final Duration backgroundCallbackInterval;
  private final Duration minRetryAfter;
  private final Duration requestTimeout;
  private final Map<String, String> headers;
  private final HttpClient http;
  private final Executor callbacks;
  private final ExecutorService ownCallbacks;
  private final ClientErrorListener errorListener;
  private final ObjectMapper json = new ObjectMapper();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  // guarded by lock
  private final Map<String, Channel> channels = new LinkedHashMap<>();
  private Status status = Status.STOPPED;
  private Thread poller;
  private InputStream inFlight;
  private CompletableFuture<HttpResponse<InputStream>> pending;
  private boolean abortRequested;
  private long seq;
  private boolean closed;

  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger successes = new AtomicInteger();

  private MessageBusClient(Builder b) {
    String base = b.baseUri.toString();
    this.pollUri = URI.create((base.endsWith("/") ? base : base + "/") + "message-bus/");
    this.clientId = b.clientId != null ? b.clientId : randomId();
    this.longPolling = b.longPolling;
    this.chunkedEncoding = b.chunkedEncoding;
    this.minPollInterval = b.minPollInterval;
    this.maxPollInterval = b.maxPollInterval;
    this.backgroundCallbackInterval = b.backgroundCallbackInterval;
    this.minRetryAfter = b.minRetryAfter;
    this.requestTimeout = b.requestTimeout;
    this.headers = Map.copyOf(b.headers);
    this.http =
        b.httpClient != null
            ? b.httpClient
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    if (b.callbackExecutor != null) {
      this.callbacks = b.callbackExecutor;
      this.ownCallbacks = null;
    } else {
      this.ownCallbacks =
          Executors.newSingleThreadExecutor(
              r -> daemon(r, "message-bus-client-callbacks-" + THREAD_IDS.incrementAndGet()));
      this.callbacks = ownCallbacks;
    }
    this.errorListener = b.errorListener;
  }

  /**
   * Starts a builder for a client of the endpoint under {@code baseUri}: polls go to {@code
   * <baseUri>message-bus/<clientId>/poll}, the base path included.
   *
   * @param baseUri e.g. {@code http://127.0.0.1:9292/} or {@code https://example.com/forum/}
   * @return a new builder
   */
  public static Builder builder(URI baseUri) {
    return new Builder(baseUri);
  }

  // ---------------------------------------------------------------- subscriptions

  /**
   * Subscribes to a channel and starts the client if it is stopped. Subscribing again to a channel
   * adds the listener and moves the channel to the given position.
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
    lock.lock();
    try {
      requireOpen();
      Channel c = channels.computeIfAbsent(channel, k -> new Channel());
      c.position = lastMessageId;
      c.listeners.add(listener);
      abortInFlight();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    start();
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
   * stops when no channel is left.
   *
   * @param channel the channel
   * @param listener the listener, or null for all of them
   */
  public void unsubscribe(String channel, ClientListener listener) {
    boolean empty;
    lock.lock();
    try {
      Channel c = channels.get(channel);
      if (c == null) {
        return;
      }
      if (listener != null) {
        c.listeners.remove(listener);
      }
      if (listener == null || c.listeners.isEmpty()) {
        channels.remove(channel);
      }
      empty = channels.isEmpty();
      abortInFlight();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (empty) {
      stop();
    }
  }

  /**
   * Returns the last message id the client holds for each channel.
   *
   * @return channel to position, in subscription order
   */
  public Map<String, Long> positions() {
    lock.lock();
    try {
      Map<String, Long> result = new LinkedHashMap<>();
      channels.forEach((k, v) -> result.put(k, v.position));
      return result;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts polling on one background thread. Idempotent.
   *
   * @throws IllegalStateException if the client was closed
   */
  public void start() {
    lock.lock();
    try {
      requireOpen();
      if (status == Status.STARTED) {
        return;
      }
      status = Status.STARTED;
      Thread t = daemon(this::pollLoop, "message-bus-client-" + THREAD_IDS.incrementAndGet());
      poller = t;
      t.start();
    } finally {
      lock.unlock();
    }
  }

  /** Stops polling: the poll in flight is aborted and the thread ends. Idempotent. */
  public void stop() {
    Thread t;
    lock.lock();
    try {
      status = Status.STOPPED;
      t = poller;
      poller = null;
      abortInFlight();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
    }
  }

  /** Stops and releases the callback thread. Idempotent. */
  @Override
  public void close() {
    stop();
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
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
    lock.lock();
    try {
      return status;
    } finally {
      lock.unlock();
    }
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
    return failures.get();
  }

  /**
   * Returns the number of successful polls.
   *
   * @return successes
   */
  public int successes() {
    return successes.get();
  }

  // ---------------------------------------------------------------- polling

  private void pollLoop() {
    Thread me = Thread.currentThread();
    while (true) {
      Map<String, Long> snapshot;
      long requestSeq;
      lock.lock();
      try {
        while (poller == me && channels.isEmpty()) {
          changed.await();
        }
        if (poller != me) {
          return;
        }
        snapshot = new LinkedHashMap<>();
        channels.forEach((k, v) -> snapshot.put(k, v.position));
        requestSeq = ++seq;
        abortRequested = false; // this poll carries every change made so far
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      Duration wait;
      try {
        wait = pollOnce(snapshot, requestSeq);
        failures.set(0);
        successes.incrementAndGet();
      } catch (RetryAfterException e) {
        wait = e.delay;
        int n = failures.incrementAndGet();
        report(e, n, wait);
      } catch (IOException | RuntimeException e) {
        if (poller != me) {
          return; // aborted by stop()
        }
        if (consumeAbort()) {
          continue; // aborted by a subscription change: poll again at once
        }
        int n = failures.incrementAndGet();
        wait = backoff(n);
        report(e, n, wait);
      } catch (InterruptedException e) {
        if (poller != me) {
          return;
        }
        continue;
      }
      if (!sleep(me, wait)) {
        return;
      }
    }
  }

  /** Tells whether the last poll was aborted on purpose, and clears the flag. */
  private boolean consumeAbort() {
    lock.lock();
    try {
      boolean aborted = abortRequested;
      abortRequested = false;
      return aborted;
    } finally {
      lock.unlock();
    }
  }

  private void report(Exception e, int consecutive, Duration wait) {
    LOG.warn(
        "message-bus poll failed ({} in a row), retrying in {} ms: {}",
        consecutive,
        wait.toMillis(),
        e.toString());
    try {
      errorListener.onPollFailed(e, consecutive, wait);
    } catch (RuntimeException listenerFailure) {
      LOG.warn("error listener failed", listenerFailure);
    }
  }

  /** Sleeps unless stopped; returns false when the client was stopped. */
  private boolean sleep(Thread me, Duration wait) {
    lock.lock();
    try {
      long nanos = wait.toNanos();
      while (poller == me && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
      return poller == me;
    } catch (InterruptedException e) {
      return poller == me;
    } finally {
      lock.unlock();
    }
  }

  Duration backoff(int consecutiveFailures) {
    long factor = 1L << Math.min(consecutiveFailures, 20);
    long millis = minPollInterval.toMillis() * factor;
    return Duration.ofMillis(
        Math.min(Math.max(millis, minPollInterval.toMillis()), maxPollInterval.toMillis()));
  }

  /** Sends one poll and dispatches what it returns; returns the pause before the next poll. */
  private Duration pollOnce(Map<String, Long> positions, long requestSeq)
      throws IOException, InterruptedException {
    Map<String, Object> body = new LinkedHashMap<>(positions);
    body.put("__seq", requestSeq);
    String uri = pollUri + clientId + "/poll" + (longPolling ? "" : "?dlp=t");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(uri))
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .header("X-SILENCE-LOGGER", "true")
            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    boolean streaming = longPolling && chunkedEncoding && !headers.containsKey("Dont-Chunk");
    if (!longPolling || !chunkedEncoding) {
      request.header("Dont-Chunk", "true");
    }
    headers.forEach(request::header);
    CompletableFuture<HttpResponse<InputStream>> future =
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    lock.lock();
    try {
      pending = future;
      if (abortRequested) {
        future.cancel(true); // the channels changed since this poll's snapshot
      }
    } finally {
      lock.unlock();
    }
    HttpResponse<InputStream> response;
    try {
      response = future.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } finally {
      lock.lock();
      try {
        pending = null;
      } finally {
        lock.unlock();
      }
    }
    try (InputStream in = response.body()) {
      lock.lock();
      try {
        inFlight = in;
        if (abortRequested) {
          in.close(); // the channels changed while the headers were on their way
        }
      } finally {
        lock.unlock();
      }
      int code = response.statusCode();
      if (code == 429) {
        throw new RetryAfterException(retryAfter(response));
      }
      if (code != 200) {
        throw new IOException(
            "HTTP " + code + " from " + uri + ": " + abbreviate(in.readNBytes(200)));
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (streaming && !type.toLowerCase().startsWith("application/json")) {
        readStream(in);
      } else {
        dispatch(parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
      }
    } finally {
      lock.lock();
      try {
        inFlight = null;
      } finally {
        lock.unlock();
      }
    }
    return longPolling ? minPollInterval : backgroundCallbackInterval;
  }

  private void readStream(InputStream in) throws IOException {
    StreamSplitter splitter = new StreamSplitter();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      for (String piece : splitter.feed(buf, 0, n)) {
        dispatch(parse(piece));
      }
    }
    if (splitter.remaining() > 0) {
      throw new IOException("stream ended inside a piece (" + splitter.remaining() + " bytes)");
    }
  }

  private List<Map<String, Object>> parse(String text) throws IOException {
    List<Map<String, Object>> messages = new ArrayList<>();
    try (JsonParser p = json.getFactory().createParser(text)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException("reply is not a JSON array: " + abbreviate(text.getBytes()));
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) readValue(p);
        messages.add(m);
      }
      if (p.currentToken() != JsonToken.END_ARRAY) {
        throw new IOException("reply is not an array of messages: " + abbreviate(text.getBytes()));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("reply is not valid JSON: " + e.getOriginalMessage(), e);
    }
    return messages;
  }

  /**
   * Reads the current JSON value as plain Java objects: integers as {@code Long} (or {@code
   * BigInteger} beyond 64 bits), floats as {@code Double}, objects as insertion-ordered maps.
   */
  private static Object readValue(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT:
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          map.put(name, readValue(p));
        }
        return map;
      case START_ARRAY:
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(readValue(p));
        }
        return list;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? p.getBigIntegerValue()
            : (Object) p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected JSON token " + p.currentToken());
    }
  }

  private void dispatch(List<Map<String, Object>> messages) throws IOException {
    for (Map<String, Object> m : messages) {
      Object channelValue = m.get("channel");
      if (!(channelValue instanceof String channel)) {
        throw new IOException("message without a channel: " + m);
      }
      if (STATUS_CHANNEL.equals(channel)) {
        if (m.get("data") instanceof Map<?, ?> status) {
          lock.lock();
          try {
            status.forEach(
                (k, v) -> {
                  Channel c = channels.get(String.valueOf(k));
                  if (c != null && v instanceof Number num) {
                    c.position = num.longValue();
                  }
                });
          } finally {
            lock.unlock();
          }
        }
        continue;
      }
      long messageId = number(m.get("message_id"));
      long globalId = number(m.get("global_id"));
      List<ClientListener> targets;
      lock.lock();
      try {
        Channel c = channels.get(channel);
        if (c == null || (c.position >= 0 && messageId <= c.position)) {
          continue; // unsubscribed meanwhile, or already delivered
        }
        c.position = messageId;
        targets = List.copyOf(c.listeners);
      } finally {
        lock.unlock();
      }
      ClientMessage message = new ClientMessage(channel, m.get("data"), globalId, messageId);
      for (ClientListener l : targets) {
        callbacks.execute(() -> invoke(l, message));
      }
    }
  }

  private void invoke(ClientListener listener, ClientMessage message) {
    try {
      listener.onMessage(message);
    } catch (RuntimeException e) {
      LOG.warn("listener failed on {} message {}", message.channel(), message.messageId(), e);
      try {
        errorListener.onListenerFailed(message, e);
      } catch (RuntimeException listenerFailure) {
        LOG.warn("error listener failed", listenerFailure);
      }
    }
  }

  private static long number(Object value) throws IOException {
    if (value instanceof Number n) {
      return n.longValue();
    }
    throw new IOException("message id is not a number: " + value);
  }

  private Duration retryAfter(HttpResponse<?> response) {
    Duration delay = minRetryAfter;
    String header = response.headers().firstValue("Retry-After").orElse(null);
    if (header != null) {
      try {
        delay = Duration.ofSeconds(Long.parseLong(header.trim()));
      } catch (NumberFormatException e) {
        try {
          ZonedDateTime at =
              ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
          delay = Duration.between(ZonedDateTime.now(at.getZone()), at);
        } catch (RuntimeException ignored) {
          // unreadable: keep the minimum
        }
      }
    }
    return delay.compareTo(minRetryAfter) < 0 ? minRetryAfter : delay;
  }

  /** Aborts the poll in flight, if any (guarded by lock). */
  private void abortInFlight() {
    abortRequested = true; // also seen by a poll that has taken its snapshot but not yet sent
    if (pending != null) {
      pending.cancel(true);
    }
    if (inFlight != null) {
      try {
        inFlight.close();
      } catch (IOException ignored) {
        // closing aborts the exchange; nothing else to do
      }
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the client is closed");
    }
  }

  private static String randomId() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static String abbreviate(byte[] bytes) {
    String s = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    return s.length() <= 120 ? s : s.substring(0, 120) + "...";
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static final class Channel {
    long position = -1;
    final List<ClientListener> listeners = new CopyOnWriteArrayList<>();
  }

  /** A 429 reply: wait before the next poll. */
  private static final class RetryAfterException extends IOException {
    private static final long serialVersionUID = 1L;
    final transient Duration delay;

    RetryAfterException(Duration delay) {
      super("HTTP 429 Too Many Requests, retrying after " + delay.toMillis() + " ms");
      this.delay = delay;
    }
  }

  /** Builds a {@link MessageBusClient}; each setter documents its default. Not thread-safe. */
  public static final class Builder {
    private final URI baseUri;
    private String clientId;
    private boolean longPolling = true;
    private boolean chunkedEncoding = true;
    private Duration minPollInterval = DEFAULT_MIN_POLL_INTERVAL;
    private Duration maxPollInterval = DEFAULT_MAX_POLL_INTERVAL;
    private Duration backgroundCallbackInterval = DEFAULT_BACKGROUND_CALLBACK_INTERVAL;
    private Duration minRetryAfter = DEFAULT_MIN_RETRY_AFTER;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private HttpClient httpClient;
    private Executor callbackExecutor;
    private ClientErrorListener errorListener = ClientErrorListener.NONE;

    private Builder(URI baseUri) {
      Objects.requireNonNull(baseUri, "baseUri");
      String scheme = baseUri.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("baseUri must be an http or https URI: " + baseUri);
      }
      this.baseUri = baseUri;
    }

    /**
     * Sets the client id sent in the poll URL. Default: 32 random hex characters.
     *
     * @param id non-empty, without {@code /}
     * @return this builder
     * @throws IllegalArgumentException if empty or containing {@code /}
     */
    public Builder clientId(String id) {
      if (id == null || id.isEmpty() || id.contains("/")) {
        throw new IllegalArgumentException("clientId must be non-empty without '/': " + id);
      }
      this.clientId = id;
      return this;
    }

    /**
     * Enables or disables long polling. Default true; false polls every {@code
     * backgroundCallbackInterval} with {@code dlp=t}.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder longPolling(boolean enabled) {
      this.longPolling = enabled;
      return this;
    }

    /**
     * Enables or disables streamed replies. Default true; false sends {@code Dont-Chunk}.
     *
     * @param enabled the choice
     * @return this builder
     */
    public Builder chunkedEncoding(boolean enabled) {
      this.chunkedEncoding = enabled;
      return this;
    }

    /**
     * Sets the pause between successful long polls, and the start of the error backoff. Default 100
     * ms.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder minPollInterval(Duration interval) {
      this.minPollInterval = positive("minPollInterval", interval);
      return this;
    }

    /**
     * Sets the longest pause of the error backoff. Default 3 minutes.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder maxPollInterval(Duration interval) {
      this.maxPollInterval = positive("maxPollInterval", interval);
      return this;
    }

    /**
     * Sets the pause between polls when long polling is disabled. Default 60 s.
     *
     * @param interval positive
     * @return this builder
     */
    public Builder backgroundCallbackInterval(Duration interval) {
      this.backgroundCallbackInterval = positive("backgroundCallbackInterval", interval);
      return this;
    }

    /**
     * Sets the shortest wait after a 429 reply (a longer {@code Retry-After} is honoured). Default
     * 15 s.
     *
     * @param delay positive
     * @return this builder
     */
    public Builder minRetryAfter(Duration delay) {
      this.minRetryAfter = positive("minRetryAfter", delay);
      return this;
    }

    /**
     * Sets how long to wait for a reply's headers. Default 60 s (above the server's 25 s long-poll
     * interval).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /**
     * Adds a request header sent with every poll (e.g. authentication). Default: none.
     *
     * @param name the header name
     * @param value the value
     * @return this builder
     */
    public Builder header(String name, String value) {
      headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Sets the HTTP client. Default: a new HTTP/1.1 client. A supplied client is not closed.
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
     * Builds the client (stopped until the first subscription or {@link #start()}).
     *
     * @return the client
     * @throws IllegalArgumentException if {@code minPollInterval > maxPollInterval}
     */
    public MessageBusClient build() {
      if (minPollInterval.compareTo(maxPollInterval) > 0) {
        throw new IllegalArgumentException(
            "minPollInterval must not exceed maxPollInterval: "
                + minPollInterval
                + " > "
                + maxPollInterval);
      }
      return new MessageBusClient(this);
    }

    private static Duration positive(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
      return d;
    }
  }
}
