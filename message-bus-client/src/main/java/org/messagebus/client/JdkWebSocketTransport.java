// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The WebSocket transport of the client on the JDK's {@link WebSocket}: one exchange is one socket
 * to {@code <base>message-bus/<clientId>/ws} (the scheme made {@code ws} or {@code wss}). It sends
 * one {@code {"subscribe":{channel: position, ...}}} frame with the client's positions, then hands
 * the sink every array the server pushes (the backlog first, then live messages), until the socket
 * closes. The exchange never ends in good order: a close of either side or a failure ends it with
 * an {@link IOException} naming the close code (a 429 at the upgrade with a {@link
 * RetryAfterException}), and the poll loop reconnects after its backoff with the positions it
 * holds, so a socket closed as too slow (4429) or by a restart resumes without loss. A change of
 * channels cancels the exchange (the socket is aborted) and opens a new one. The first readable
 * frame a socket brings tells the loop the socket is {@linkplain Sink#established() established}
 * (its failure count returns to zero); a socket closed before it sent anything (1011: the backend
 * failed) keeps counting, so its reconnections back off.
 *
 * <p><b>Falling back.</b> When the server shows it has no WebSocket here, the exchange fails and
 * every later one goes through the fallback transport (the client's HTTP polls, as configured) for
 * the client's life, as {@link SseTransport} does: the upgrade refused with 404 (no endpoint, or
 * not a server of this project), 405, 426 (a proxy dropped the {@code Upgrade} header), 501 (a
 * container without WebSocket) or 200 (a server that answered it as a poll); or a socket closed
 * with 4400, 1003 or 1009 (the server will not take what this client sends, the JavaScript client's
 * "give up" codes). Everything else is transient and the next exchange tries WebSocket again after
 * the backoff: a refused or timed-out connection, 503 (the bus is off or the endpoint is closing),
 * any other 5xx, 429 (a {@link RetryAfterException}), and closes with 1001, 1006, 1011, 4408, 4429
 * or any other code. 403 does not fall back either: our server says it when the {@code Origin}
 * header is not allowed (or a filter before the bus refused the client), which is a configuration
 * error that polls would hide; it is reported on every attempt.
 *
 * <p><b>Threads.</b> The JDK calls the listener one event at a time, so sink calls never overlap;
 * each message is asked for ({@link WebSocket#request}) only after the previous one was handed
 * over.
 */
final class JdkWebSocketTransport implements PollTransport {

  private final HttpClient http;
  private final ClientOptions options;
  private final ObjectMapper mapper;
  private final ReplyDecoder decoder;
  private final PollTransport fallback;
  private volatile boolean fellBack;

  JdkWebSocketTransport(
      HttpClient http, ClientOptions options, ObjectMapper mapper, PollTransport fallback) {
    this.http = http;
    this.options = options;
    this.mapper = mapper;
    this.decoder = new ReplyDecoder(mapper);
    this.fallback = fallback;
  }

  /**
   * Tells whether the server showed it has no WebSocket here and the client polls instead.
   *
   * @return true once it fell back
   */
  boolean fellBack() {
    return fellBack;
  }

  /**
   * Tells whether a refused upgrade means "no WebSocket here" (fall back) rather than a transient
   * or configuration failure (retry).
   */
  static boolean meansNoWebSocket(int status) {
    return status == 200 || status == 404 || status == 405 || status == 426 || status == 501;
  }

  /** Tells whether a close code means the server will not take what this client sends. */
  static boolean meansGiveUp(int closeCode) {
    return closeCode == 4400 || closeCode == 1003 || closeCode == 1009;
  }

  /** The socket URL: the poll base with a ws or wss scheme, then {@code <clientId>/ws}. */
  static URI socketUri(ClientOptions options) {
    String base = options.pollBase().toString();
    String ws = base.startsWith("https:") ? "wss:" + base.substring(6) : "ws:" + base.substring(5);
    return URI.create(ws + options.clientId() + "/ws");
  }

  @Override
  public Exchange open(Request request, Sink sink) {
    if (fellBack) {
      return fallback.open(request, sink);
    }
    SocketExchange exchange = new SocketExchange(sink);
    String subscribe;
    WebSocket.Builder builder;
    try {
      Map<String, Object> frame = new java.util.LinkedHashMap<>();
      frame.put("subscribe", request.positions());
      if (options.reportLoss()) {
        frame.put("loss", true);
      }
      subscribe = mapper.writeValueAsString(frame);
      builder = http.newWebSocketBuilder().connectTimeout(options.requestTimeout());
      options.headers().forEach(builder::header);
    } catch (JsonProcessingException | RuntimeException e) {
      exchange.done.completeExceptionally(new IOException("cannot open a WebSocket: " + e, e));
      return exchange;
    }
    CompletableFuture<?> unused =
        builder
            .buildAsync(socketUri(options), exchange)
            .whenComplete(
                (socket, failure) -> {
                  if (failure != null) {
                    exchange.done.completeExceptionally(upgradeFailure(failure));
                    return;
                  }
                  if (!exchange.attach(socket)) {
                    socket.abort(); // cancelled while connecting
                    return;
                  }
                  CompletableFuture<?> unusedSend =
                      socket
                          .sendText(subscribe, true)
                          .whenComplete(
                              (s, sendFailure) -> {
                                if (sendFailure != null) {
                                  exchange.fail(
                                      new IOException("cannot send the subscription", sendFailure));
                                }
                              });
                });
    return exchange;
  }

  private IOException upgradeFailure(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof WebSocketHandshakeException handshake) {
      var response = handshake.getResponse();
      if (response.statusCode() == 429) {
        return new RetryAfterException(
            RetryAfterException.parseRetryAfter(
                response.headers().firstValue("Retry-After").orElse(null), Instant.now()));
      }
      int status = response.statusCode();
      if (meansNoWebSocket(status)) {
        fellBack = true;
        return new IOException(
            "no WebSocket at "
                + socketUri(options)
                + " (upgrade answered with HTTP "
                + status
                + "); polling from now on",
            handshake);
      }
      return new IOException("WebSocket upgrade refused: HTTP " + status, handshake);
    }
    return cause instanceof IOException io ? io : new IOException(cause);
  }

  /** One socket and its end. */
  private final class SocketExchange implements Exchange, WebSocket.Listener {
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Sink sink;
    private final StringBuilder partial = new StringBuilder();
    private boolean established; // touched by the listener's calls only, which never overlap
    private @Nullable WebSocket socket; // guarded by this

    SocketExchange(Sink sink) {
      this.sink = sink;
    }

    /** Records the socket; false when the exchange already ended. */
    synchronized boolean attach(WebSocket s) {
      if (done.isDone()) {
        return false;
      }
      socket = s;
      return true;
    }

    void fail(IOException e) {
      if (done.completeExceptionally(e)) {
        abort();
      }
    }

    private void abort() {
      WebSocket s;
      synchronized (this) {
        s = socket;
      }
      if (s != null) {
        s.abort();
      }
    }

    @Override
    public CompletableFuture<Void> done() {
      return done;
    }

    @Override
    public void cancel() {
      if (done.completeExceptionally(new CancellationException("cancelled"))) {
        abort();
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public @Nullable CompletionStage<?> onText(
        WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          var messages = decoder.decode(text);
          if (!established && !done.isDone()) {
            established = true; // a frame that decodes: a server of ours is sending
            sink.established();
          }
          if (!messages.isEmpty() && !done.isDone()) {
            sink.accept(messages);
          }
        } catch (IOException e) {
          fail(e);
          return null;
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onBinary(
        WebSocket webSocket, ByteBuffer data, boolean last) {
      fail(new IOException("the server sent a binary WebSocket message"));
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
      webSocket.request(1); // the JDK answers with a pong by itself
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(
        WebSocket webSocket, int statusCode, String reason) {
      String why = statusCode + (reason.isEmpty() ? "" : " " + reason);
      if (meansGiveUp(statusCode) && !done.isDone()) {
        fellBack = true;
        fail(new IOException("WebSocket closed by the server: " + why + "; polling from now on"));
      } else {
        fail(new IOException("WebSocket closed by the server: " + why));
      }
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      fail(error instanceof IOException io ? io : new IOException(error));
    }
  }
}
