// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP response of an exchange of the Java client, read without a waiting thread: {@link #send}
 * sends the request with {@code sendAsync}, the headers go to {@link #headers}, the body arrives
 * through this {@link Flow.Subscriber} and goes to {@link #feed} and {@link #end}. Every failure
 * (connecting, reading, what {@code feed} or {@code end} throw) goes to {@link #failed} once the
 * exchange's {@code done} future is not yet complete; once it is, nothing more is read.
 *
 * <p>{@link #abort()} stops the response at any stage, from any thread: cancelling the {@code
 * sendAsync} future with {@code mayInterruptIfRunning} aborts the HTTP exchange before the headers,
 * cancelling the body subscription after them.
 *
 * <p>The subscriber's calls never overlap (the HTTP client's contract), so a subclass's parser
 * state needs no lock.
 */
abstract class ResponseReader implements Flow.Subscriber<List<ByteBuffer>> {

  private final CompletableFuture<Void> done;
  private volatile @Nullable CompletableFuture<?> sent;
  private volatile Flow.@Nullable Subscription subscription;

  /**
   * @param done the exchange's future: once it is complete, the response is aborted and no more of
   *     it is read
   */
  ResponseReader(CompletableFuture<Void> done) {
    this.done = done;
  }

  /**
   * The response's status and headers, before any byte of the body.
   *
   * @param status the status code
   * @param contentType the Content-Type, "" when there is none
   * @param headers every header
   */
  abstract void headers(int status, String contentType, HttpHeaders headers);

  /** A part of the body. */
  abstract void feed(ByteBuffer bytes) throws IOException;

  /** The body is complete (and the exchange's future was not complete yet). */
  abstract void end() throws IOException;

  /** The response failed: the exchange should fail with this (and call {@link #abort()}). */
  abstract void failed(Throwable error);

  /** Sends the request; a connection that cannot be made fails with the URI in its message. */
  final void send(HttpClient http, HttpRequest request) {
    CompletableFuture<HttpResponse<Void>> f =
        http.sendAsync(
            request,
            info -> {
              headers(
                  info.statusCode(),
                  info.headers().firstValue("Content-Type").orElse(""),
                  info.headers());
              return HttpResponse.BodySubscribers.fromSubscriber(this);
            });
    sent = f;
    // failures end in failed(); the exchange's own future is what callers wait on
    var unused =
        f.whenComplete(
            (ok, error) -> {
              if (error != null) {
                failed(described(unwrap(error), request.uri()));
              }
            });
    if (done.isDone()) {
      abort(); // cancelled or failed before the future was known
    }
  }

  /** Stops the response at whatever stage it is. Idempotent; any thread. */
  final void abort() {
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    CompletableFuture<?> f = sent;
    if (f != null) {
      f.cancel(true); // true: the HTTP client aborts the exchange itself (JDK 16+)
    }
  }

  @Override
  public final void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (done.isDone()) {
      s.cancel();
    } else {
      s.request(Long.MAX_VALUE);
    }
  }

  @Override
  public final void onNext(List<ByteBuffer> items) {
    try {
      for (ByteBuffer b : items) {
        if (done.isDone()) {
          return;
        }
        feed(b);
      }
    } catch (IOException | RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public final void onError(Throwable error) {
    failed(error);
  }

  @Override
  public final void onComplete() {
    if (done.isDone()) {
      return;
    }
    try {
      end();
    } catch (IOException | RuntimeException e) {
      failed(e);
    }
  }

  /** The JDK's connect failures say nothing: name where the client tried to connect. */
  private static Throwable described(Throwable error, URI uri) {
    if (error instanceof ConnectException && error.getMessage() == null) {
      ConnectException named = new ConnectException("cannot connect to " + uri);
      named.initCause(error);
      return named;
    }
    return error;
  }

  private static Throwable unwrap(Throwable error) {
    return (error instanceof CompletionException || error instanceof ExecutionException)
            && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
