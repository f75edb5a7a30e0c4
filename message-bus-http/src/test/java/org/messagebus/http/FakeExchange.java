// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * An exchange without a socket or a container: the request is what the test says, the response is
 * recorded (status, headers, body bytes, completions). Held output is ready unless the test says
 * otherwise ({@link #blockOutput}), and {@link #releaseOutput} plays the transport's "writable
 * again" callback. The body is handed over when the engine asks for it, or later ({@link
 * #deferBody}). Waiting for what another thread writes is bounded ({@link #await}), never a sleep.
 */
final class FakeExchange implements HttpExchange {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // request
  String method = "POST";
  String protocol = "HTTP/1.1";
  String query;
  String path = "/message-bus/c/poll";
  final Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
  String remoteAddress = "192.0.2.1";
  final Map<String, Object> attributes = new LinkedHashMap<>();
  byte[] requestBody = new byte[0];
  boolean canHold = true;
  private boolean deferBody;
  private BodySink pendingSink;

  // response, guarded by lock
  private int status = 200;
  private final Map<String, String> headers = new LinkedHashMap<>();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private boolean committed;
  private boolean ended;
  // The listener heard of the end (the engine unregistered the poll).
  private boolean settled;
  private int completeCalls;
  private int completions;
  private boolean ready = true;
  private HeldListener listener;
  private Runnable onGone;
  private int watchCancels;
  private int bodyBytesAtFirstWatchCancel = -1;

  static FakeExchange post(String form) {
    FakeExchange x = new FakeExchange();
    x.withHeader("Content-Type", "application/x-www-form-urlencoded");
    x.requestBody = form.getBytes(StandardCharsets.UTF_8);
    return x;
  }

  FakeExchange withHeader(String name, String value) {
    requestHeaders
        .computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
        .add(value);
    return this;
  }

  // The request view.

  @Override
  public String method() {
    return method;
  }

  @Override
  public String protocol() {
    return protocol;
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String queryString() {
    return query;
  }

  @Override
  public String header(String name) {
    List<String> v = headers(name);
    return v.isEmpty() ? null : v.get(0);
  }

  @Override
  public List<String> headers(String name) {
    return requestHeaders.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public Object attribute(String name) {
    return attributes.get(name);
  }

  @Override
  public String contextPath() {
    return "";
  }

  @Override
  public long contentLength() {
    return requestBody.length;
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    return type.isInstance(this) ? type.cast(this) : null;
  }

  @Override
  public boolean canHold() {
    return canHold;
  }

  /** The body arrives only when {@link #deliverBody} is called. */
  FakeExchange deferBody() {
    deferBody = true;
    return this;
  }

  void deliverBody() {
    pendingSink.body(requestBody);
  }

  void failBody(Throwable t) {
    pendingSink.failed(t);
  }

  @Override
  public void readBody(int max, BodySink sink) {
    if (requestBody.length > max) {
      sink.failed(HttpEngine.tooLarge(max));
    } else if (deferBody) {
      pendingSink = sink;
    } else {
      sink.body(requestBody);
    }
  }

  // The response.

  @Override
  public void status(int status) {
    locked(() -> this.status = status);
  }

  @Override
  public void header(String name, String value) {
    locked(() -> headers.put(name.toLowerCase(Locale.ROOT), value));
  }

  @Override
  public void contentType(String value) {
    header("Content-Type", value);
  }

  @Override
  public void contentLength(long length) {
    header("Content-Length", Long.toString(length));
  }

  @Override
  public boolean isCommitted() {
    lock.lock();
    try {
      return committed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void reset() {
    locked(
        () -> {
          headers.clear();
          body.reset();
          status = 200;
        });
  }

  @Override
  public void send(byte[] bytes) {
    locked(
        () -> {
          if (ended) {
            throw new IllegalStateException("sent after the end");
          }
          headers.put("content-length", Integer.toString(bytes.length));
          body.writeBytes(bytes);
          committed = true;
          ended = true;
          completions++;
        });
  }

  @Override
  public void prepareHold() {}

  /** Installs the listener; like a container, says at once that output is possible (if so). */
  @Override
  public void hold(HeldListener l) {
    boolean writable;
    lock.lock();
    try {
      listener = l;
      writable = ready;
    } finally {
      lock.unlock();
    }
    if (writable) {
      l.onWritePossible();
    }
  }

  @Override
  public boolean frameStream(boolean mayKeepAlive) {
    return false;
  }

  @Override
  public boolean isReady() {
    lock.lock();
    try {
      return ready;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void write(byte[] bytes) throws IOException {
    lock.lock();
    try {
      if (ended) {
        throw new IOException("written after the end");
      }
      committed = true;
      body.writeBytes(bytes);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void flush() {
    locked(() -> committed = true);
  }

  @Override
  public void complete() {
    HeldListener l;
    lock.lock();
    try {
      completeCalls++;
      if (ended) {
        return;
      }
      ended = true;
      completions++;
      committed = true;
      changed.signalAll();
      l = listener;
    } finally {
      lock.unlock();
    }
    if (l != null) {
      l.onComplete();
    }
    locked(() -> settled = true);
  }

  @Override
  public DisconnectWatch watchDisconnect(Runnable gone) {
    locked(() -> onGone = gone);
    return () ->
        locked(
            () -> {
              if (watchCancels++ == 0) {
                bodyBytesAtFirstWatchCancel = body.size();
              }
            });
  }

  // What the test drives.

  /** The transport stops taking bytes. */
  void blockOutput() {
    locked(() -> ready = false);
  }

  /** The transport takes bytes again and says so. */
  void releaseOutput() {
    HeldListener l;
    lock.lock();
    try {
      ready = true;
      l = listener;
    } finally {
      lock.unlock();
    }
    l.onWritePossible();
  }

  /** The client closes its connection (the disconnect watch fires). */
  void clientGone() {
    Runnable r;
    lock.lock();
    try {
      r = onGone;
    } finally {
      lock.unlock();
    }
    if (r != null) {
      r.run();
    }
  }

  boolean isHeld() {
    lock.lock();
    try {
      return listener != null;
    } finally {
      lock.unlock();
    }
  }

  int status() {
    lock.lock();
    try {
      return status;
    } finally {
      lock.unlock();
    }
  }

  String responseHeader(String name) {
    lock.lock();
    try {
      return headers.get(name.toLowerCase(Locale.ROOT));
    } finally {
      lock.unlock();
    }
  }

  String body() {
    lock.lock();
    try {
      return body.toString(StandardCharsets.UTF_8);
    } finally {
      lock.unlock();
    }
  }

  boolean ended() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** How many times the exchange was ended (by {@link #send} or {@link #complete}). */
  int completions() {
    lock.lock();
    try {
      return completions;
    } finally {
      lock.unlock();
    }
  }

  int completeCalls() {
    lock.lock();
    try {
      return completeCalls;
    } finally {
      lock.unlock();
    }
  }

  /** How many body bytes were written when the disconnect watch was first cancelled; -1: never. */
  int bodyBytesAtFirstWatchCancel() {
    lock.lock();
    try {
      return bodyBytesAtFirstWatchCancel;
    } finally {
      lock.unlock();
    }
  }

  int watchCancels() {
    lock.lock();
    try {
      return watchCancels;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the body satisfies the condition, for at most {@code max}: another thread (the
   * bus's dispatcher, a fan-out lane) writes it. Returns the body; fails when it never does.
   */
  String await(Predicate<String> condition, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    lock.lock();
    try {
      while (!condition.test(body.toString(StandardCharsets.UTF_8))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "the body never got there: " + body.toString(StandardCharsets.UTF_8));
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
      return body.toString(StandardCharsets.UTF_8);
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the exchange ended, for at most {@code max}. */
  void awaitEnd(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    lock.lock();
    try {
      while (!ended || (listener != null && !settled)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              "the exchange never ended: " + body.toString(StandardCharsets.UTF_8));
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  private void locked(Runnable r) {
    lock.lock();
    try {
      r.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
