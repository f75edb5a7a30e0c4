// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * The message_bus HTTP poll (SPEC §4) on {@code java.net.http}: a POST of the positions as JSON,
 * answered by one JSON array (polling, non-streamed long polling, or a backlog) or by a stream of
 * pieces (SPEC §4.12), each handed to the sink as it completes.
 *
 * <p>Fully asynchronous: the request is sent with {@code sendAsync} and the body arrives through a
 * {@link Flow.Subscriber}, so no thread waits on a held poll, and {@link Exchange#cancel()} aborts
 * it at any stage (cancelling the {@code sendAsync} future with {@code mayInterruptIfRunning}
 * aborts the HTTP exchange before the headers, cancelling the body subscription after them).
 *
 * <p>The reply is checked as Ruby's client does not: 200 or a failure ({@code 429} with its {@code
 * Retry-After}; any other status with the start of its body); a streaming request whose reply is
 * {@code application/json} (the server answered at once) is read as one array; a stream that ends
 * inside a piece is a failure.
 */
final class JdkHttpTransport implements PollTransport {

  /** How much of an error reply's body goes into the failure's message. */
  private static final int ERROR_BODY_BYTES = 200;

  private final HttpClient http;
  private final ClientOptions options;
  private final ObjectMapper json;
  private final ReplyDecoder decoder;
  private final Scheduler clock;

  /**
   * Creates the transport.
   *
   * @param http the HTTP client
   * @param options the poll URL, headers and timeout
   * @param json writes request bodies and reads replies
   * @param clock reads the time for a {@code Retry-After} date
   */
  JdkHttpTransport(HttpClient http, ClientOptions options, ObjectMapper json, Scheduler clock) {
    this.http = http;
    this.options = options;
    this.json = json;
    this.decoder = new ReplyDecoder(json);
    this.clock = clock;
  }

  @Override
  public Exchange open(Request request, Sink sink) {
    Map<String, Object> body = new LinkedHashMap<>(request.positions());
    body.put("__seq", request.seq());
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // a map of strings to numbers always encodes
    }
    URI uri = options.pollUri();
    HttpRequest.Builder post =
        HttpRequest.newBuilder(uri)
            .timeout(options.requestTimeout())
            .header("Content-Type", "application/json")
            .header("X-SILENCE-LOGGER", "true")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (!options.longPolling() || !options.chunkedEncoding()) {
      post.header("Dont-Chunk", "true");
    }
    options.headers().forEach(post::header);
    HttpExchange exchange = new HttpExchange(uri, options.streaming(), sink);
    exchange.started(http.sendAsync(post.build(), exchange::bodySubscriber));
    return exchange;
  }

  /** What a reply body is read as. Called from the body subscription only (never concurrently). */
  private interface Body {
    void feed(ByteBuffer bytes) throws IOException;

    void end() throws IOException;
  }

  private final class HttpExchange implements Exchange, Flow.Subscriber<List<ByteBuffer>> {
    private final URI uri;
    private final boolean streaming;
    private final Sink sink;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile @Nullable CompletableFuture<?> response;
    private volatile Flow.@Nullable Subscription subscription;
    private volatile @Nullable Body body;

    HttpExchange(URI uri, boolean streaming, Sink sink) {
      this.uri = uri;
      this.streaming = streaming;
      this.sink = sink;
    }

    /** The body, chosen by {@link #bodySubscriber} before the client hands over any byte. */
    private Body body() {
      Body b = body;
      if (b == null) {
        throw new IllegalStateException("a body arrived before its response headers");
      }
      return b;
    }

    void started(CompletableFuture<?> sent) {
      response = sent;
      // failures end in fail(); the exchange's own future is what callers wait on
      var unused =
          sent.whenComplete(
              (ok, error) -> {
                if (error != null) {
                  fail(described(unwrap(error)));
                }
              });
      if (done.isDone()) {
        sent.cancel(true); // cancelled or failed before the future was known
      }
    }

    HttpResponse.BodySubscriber<Void> bodySubscriber(HttpResponse.ResponseInfo info) {
      int code = info.statusCode();
      String type = info.headers().firstValue("Content-Type").orElse("");
      if (code != 200) {
        body = new StatusBody(code, info.headers().firstValue("Retry-After").orElse(null));
      } else if (streaming && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        body = new StreamBody();
      } else {
        body = new WholeBody();
      }
      return HttpResponse.BodySubscribers.fromSubscriber(this);
    }

    @Override
    public CompletableFuture<Void> done() {
      return done;
    }

    @Override
    public void cancel() {
      if (done.cancel(false)) {
        abort();
      }
    }

    /** The JDK's connect failures say nothing: name where the client tried to connect. */
    private Throwable described(Throwable error) {
      if (error instanceof ConnectException && error.getMessage() == null) {
        ConnectException named = new ConnectException("cannot connect to " + uri);
        named.initCause(error);
        return named;
      }
      return error;
    }

    private void fail(Throwable error) {
      if (done.completeExceptionally(error)) {
        abort();
      }
    }

    private void abort() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      CompletableFuture<?> sent = response;
      if (sent != null) {
        sent.cancel(true); // true: the HTTP client aborts the exchange itself (JDK 16+)
      }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (done.isDone()) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      try {
        for (ByteBuffer b : items) {
          if (done.isDone()) {
            return;
          }
          body().feed(b);
        }
      } catch (IOException | RuntimeException e) {
        fail(e);
      }
    }

    @Override
    public void onError(Throwable error) {
      fail(error);
    }

    @Override
    public void onComplete() {
      if (done.isDone()) {
        return;
      }
      try {
        body().end();
        done.complete(null);
      } catch (IOException | RuntimeException e) {
        fail(e);
      }
    }

    private void deliver(String text) throws IOException {
      List<ClientMessage> messages = decoder.decode(text);
      if (!messages.isEmpty() && !done.isDone()) {
        sink.accept(messages);
      }
    }

    /** A streamed reply: each complete piece is delivered at once. */
    private final class StreamBody implements Body {
      private final StreamSplitter splitter = new StreamSplitter();

      @Override
      public void feed(ByteBuffer bytes) throws IOException {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        for (String piece : splitter.feed(copy, 0, copy.length)) {
          deliver(piece);
        }
      }

      @Override
      public void end() throws IOException {
        if (splitter.remaining() > 0) {
          throw new IOException("stream ended inside a piece (" + splitter.remaining() + " bytes)");
        }
      }
    }

    /** A reply of one JSON array, delivered when complete. */
    private final class WholeBody implements Body {
      private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

      @Override
      public void feed(ByteBuffer b) {
        write(bytes, b, b.remaining());
      }

      @Override
      public void end() throws IOException {
        deliver(bytes.toString(StandardCharsets.UTF_8));
      }
    }

    /** A reply other than 200: a failure, described by the start of its body. */
    private final class StatusBody implements Body {
      private final int code;
      private final @Nullable String retryAfter;
      private final ByteArrayOutputStream start = new ByteArrayOutputStream();

      StatusBody(int code, @Nullable String retryAfter) {

        this.code = code;
        this.retryAfter = retryAfter;
      }

      @Override
      public void feed(ByteBuffer b) throws IOException {
        write(start, b, Math.min(b.remaining(), ERROR_BODY_BYTES - start.size()));
        if (start.size() >= ERROR_BODY_BYTES) {
          end(); // enough to describe it: the rest is not read
        }
      }

      @Override
      public void end() throws IOException {
        if (code == 429) {
          throw new RetryAfterException(
              RetryAfterException.parseRetryAfter(retryAfter, clock.now()));
        }
        throw new IOException(
            "HTTP " + code + " from " + uri + ": " + ReplyDecoder.abbreviate(start.toByteArray()));
      }
    }
  }

  private static void write(ByteArrayOutputStream out, ByteBuffer b, int length) {
    byte[] chunk = new byte[length];
    b.get(chunk);
    out.write(chunk, 0, length);
  }

  private static Throwable unwrap(Throwable error) {
    return (error instanceof CompletionException || error instanceof ExecutionException)
            && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
