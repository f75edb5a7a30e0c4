// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The message_bus HTTP poll (SPEC §4) on {@code java.net.http}: a POST of the positions as JSON,
 * answered by one JSON array (polling, non-streamed long polling, or a backlog) or by a stream of
 * pieces (SPEC §4.12), each handed to the sink as it completes.
 *
 * <p>Fully asynchronous: the request is sent with {@code sendAsync} and the body arrives through a
 * {@link ResponseReader}, so no thread waits on a held poll, and {@link Exchange#cancel()} aborts
 * it at any stage.
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
    exchange.reader.send(http, post.build());
    return exchange;
  }

  /** What a reply body is read as. Called from the body subscription only (never concurrently). */
  private interface Body {
    void feed(ByteBuffer bytes) throws IOException;

    void end() throws IOException;
  }

  private final class HttpExchange extends AbortableExchange {
    private final URI uri;
    private final boolean streaming;
    private final Sink sink;
    final Reader reader = new Reader();

    HttpExchange(URI uri, boolean streaming, Sink sink) {
      this.uri = uri;
      this.streaming = streaming;
      this.sink = sink;
    }

    @Override
    void abort() {
      reader.abort();
    }

    /** The response: its body is read as the status and Content-Type say. */
    private final class Reader extends ResponseReader {
      private volatile @Nullable Body body;

      Reader() {
        super(done);
      }

      @Override
      void headers(int code, String type, HttpHeaders headers) {
        if (code != 200) {
          body = new StatusBody(code, headers.firstValue("Retry-After").orElse(null));
        } else if (streaming && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
          body = new StreamBody();
        } else {
          body = new WholeBody();
        }
      }

      /** The body, chosen by {@link #headers} before the client hands over any byte. */
      private Body body() {
        Body b = body;
        if (b == null) {
          throw new IllegalStateException("a body arrived before its response headers");
        }
        return b;
      }

      @Override
      void feed(ByteBuffer bytes) throws IOException {
        body().feed(bytes);
      }

      @Override
      void end() throws IOException {
        body().end();
        done.complete(null);
      }

      @Override
      void failed(Throwable error) {
        fail(error);
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
}
