// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Server-Sent Events (docs/http.md) on {@code java.net.http}: a {@code GET <base>message-bus/<id>
 * /sse?<channel>=<position>&...} whose reply is a stream of events, one message each. The exchange
 * stays open as long as the client keeps it: when the server ends a stream (its maximum duration),
 * the transport reconnects after the stream's {@code retry:} delay with the id of the last event as
 * {@code Last-Event-ID}, as a browser does, so every channel resumes exactly where it was.
 *
 * <p><b>Falling back.</b> When the server refuses the stream (404: disabled or not a server of this
 * project; 405, 501; 503: too many held connections) or answers with anything but {@code
 * text/event-stream}, the exchange fails and every later one goes through the fallback transport
 * (long polling) for the client's life. A 429 is a {@link RetryAfterException}, as for polls.
 *
 * <p><b>Threads.</b> One connection at a time per exchange; its body arrives through a {@link
 * ResponseReader} whose calls never overlap, so the parser state needs no lock. The reconnection
 * runs on the {@link Scheduler}. {@link Exchange#cancel()} aborts the connection and the scheduled
 * reconnection from any thread.
 */
final class SseTransport implements PollTransport {

  /** How much of an error reply's body goes into the failure's message. */
  private static final int ERROR_BODY_BYTES = 200;

  /** The reconnection delay until a stream says otherwise ({@code retry:}). */
  static final Duration DEFAULT_RETRY = Duration.ofSeconds(1);

  private final HttpClient http;
  private final ClientOptions options;
  private final ReplyDecoder decoder;
  private final Scheduler scheduler;
  private final PollTransport fallback;
  private volatile boolean fellBack;

  SseTransport(
      HttpClient http,
      ClientOptions options,
      ReplyDecoder decoder,
      Scheduler scheduler,
      PollTransport fallback) {
    this.http = http;
    this.options = options;
    this.decoder = decoder;
    this.scheduler = scheduler;
    this.fallback = fallback;
  }

  /**
   * Tells whether the server refused Server-Sent Events and the client polls instead.
   *
   * @return true once it fell back
   */
  boolean fellBack() {
    return fellBack;
  }

  @Override
  public Exchange open(Request request, Sink sink) {
    if (fellBack) {
      return fallback.open(request, sink);
    }
    SseExchange exchange = new SseExchange(uri(request), sink);
    exchange.connect(null);
    return exchange;
  }

  /** The stream's URL: the positions form-encoded in the query, as a poll body would be. */
  URI uri(Request request) {
    StringBuilder q = new StringBuilder();
    for (Map.Entry<String, Long> e : request.positions().entrySet()) {
      q.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(e.getValue())
          .append('&');
    }
    q.append("__seq=").append(request.seq());
    if (options.reportLoss()) {
      q.append("&__loss=1");
    }
    return URI.create(options.pollBase() + options.clientId() + "/sse?" + q);
  }

  private final class SseExchange extends AbortableExchange {
    private final URI uri;
    private final Sink sink;
    // The id of the last event handed to the sink, and the reconnection delay.
    private volatile @Nullable String lastEventId;
    private volatile Duration retry = DEFAULT_RETRY;
    private volatile @Nullable Connection connection;
    private volatile Scheduler.@Nullable Task reconnect;

    SseExchange(URI uri, Sink sink) {
      this.uri = uri;
      this.sink = sink;
    }

    void connect(@Nullable String resumeFrom) {
      if (done.isDone()) {
        return;
      }
      HttpRequest.Builder get =
          HttpRequest.newBuilder(uri)
              .timeout(options.requestTimeout())
              .header("Accept", "text/event-stream")
              .header("X-SILENCE-LOGGER", "true")
              .GET();
      if (resumeFrom != null) {
        get.header("Last-Event-ID", resumeFrom);
      }
      options.headers().forEach(get::header);
      Connection c = new Connection();
      connection = c;
      c.send(http, get.build());
    }

    @Override
    void abort() {
      Scheduler.Task r = reconnect;
      if (r != null) {
        r.cancel();
      }
      Connection c = connection;
      if (c != null) {
        c.abort();
      }
    }

    /** The server ended a stream in good order: reconnect as a browser would. */
    private void streamEnded(boolean sawAnything) {
      if (done.isDone()) {
        return;
      }
      if (!sawAnything) {
        fail(new IOException("the server ended the event stream at once: " + uri));
        return;
      }
      String resumeFrom = lastEventId;
      reconnect = scheduler.schedule(() -> connect(resumeFrom), retry);
      if (done.isDone()) {
        abort();
      }
    }

    /** One HTTP response of the exchange. */
    private final class Connection extends ResponseReader {
      // parser state: touched by the subscriber's calls only
      private final ByteArrayOutputStream line = new ByteArrayOutputStream();
      private final StringBuilder data = new StringBuilder();
      private @Nullable String id;
      private boolean hasData;
      private boolean sawAnything;
      private boolean stream;
      private int errorStatus;
      private @Nullable String retryAfter;

      Connection() {
        super(done);
      }

      @Override
      void headers(int code, String contentType, HttpHeaders headers) {
        if (code == 200 && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
          stream = true;
          if (!done.isDone()) {
            sink.established();
          }
        } else {
          errorStatus = code;
          retryAfter = headers.firstValue("Retry-After").orElse(null);
        }
      }

      @Override
      void feed(ByteBuffer b) throws IOException {
        if (stream) {
          lines(b);
        } else {
          int n = Math.min(b.remaining(), ERROR_BODY_BYTES - line.size());
          byte[] part = new byte[n];
          b.get(part);
          line.write(part, 0, n);
        }
      }

      @Override
      void end() {
        if (stream) {
          streamEnded(sawAnything);
          return;
        }
        fail(refusal());
      }

      @Override
      void failed(Throwable error) {
        fail(error);
      }

      private Throwable refusal() {
        String body = ReplyDecoder.abbreviate(line.toByteArray());
        if (errorStatus == 429) {
          return new RetryAfterException(
              RetryAfterException.parseRetryAfter(retryAfter, scheduler.now()));
        }
        if (errorStatus == 200
            || errorStatus == 404
            || errorStatus == 405
            || errorStatus == 501
            || errorStatus == 503) {
          fellBack = true;
          return new IOException(
              "no server-sent events at "
                  + uri
                  + " (HTTP "
                  + errorStatus
                  + (errorStatus == 200 ? ", not text/event-stream" : "")
                  + ": "
                  + body
                  + "); polling from now on");
        }
        return new IOException("HTTP " + errorStatus + " from " + uri + ": " + body);
      }

      /** Splits the bytes into lines (LF, or CR LF) and each line into its field. */
      private void lines(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
          byte b = bytes.get();
          sawAnything = true;
          if (b != '\n') {
            line.write(b);
            continue;
          }
          byte[] raw = line.toByteArray();
          line.reset();
          int n = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
          field(new String(raw, 0, n, StandardCharsets.UTF_8));
        }
      }

      private void field(String text) throws IOException {
        if (text.isEmpty()) {
          dispatch();
          return;
        }
        if (text.startsWith(":")) {
          return; // a comment: the heartbeat
        }
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        switch (name) {
          case "data" -> {
            if (hasData) {
              data.append('\n');
            }
            data.append(value);
            hasData = true;
          }
          case "id" -> id = value;
          case "retry" -> {
            try {
              retry = Duration.ofMillis(Math.max(0, Long.parseLong(value.trim())));
            } catch (NumberFormatException ignored) {
              // an invalid retry is ignored, as browsers do
            }
          }
          default -> {
            // event types and unknown fields are not used by the bus
          }
        }
      }

      /** A blank line: hands the event's message to the sink, then remembers its id. */
      private void dispatch() throws IOException {
        if (!hasData) {
          return;
        }
        String json = data.toString();
        data.setLength(0);
        hasData = false;
        List<ClientMessage> messages = decoder.decode("[" + json + "]");
        if (!messages.isEmpty() && !done.isDone()) {
          sink.accept(messages);
        }
        if (id != null) {
          lastEventId = id;
        }
      }
    }
  }
}
