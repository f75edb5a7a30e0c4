// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.messagebus.http.HttpEngine;
import org.messagebus.http.HttpExchange;

/**
 * Reads a request body with Servlet non-blocking I/O (after {@code startAsync}), so no container
 * thread ever waits for a slow client's bytes: the container calls back as bytes arrive, and {@link
 * Sink#body} receives the whole body once it is in. A body over {@code max} bytes stops the reading
 * at once and goes to {@link HttpExchange.BodySink#failed} as a 413; so does a read error (the
 * client went away, the container's timeout). Exactly one of the two is called.
 *
 * <p><b>Threads.</b> The container serialises the callbacks of one request, so the state needs no
 * lock; the sink runs on the container thread of the last callback.
 */
final class BodyReader implements ReadListener {

  private final ServletInputStream in;
  private final int max;
  private final HttpExchange.BodySink sink;
  private final ByteArrayOutputStream received;
  private final byte[] chunk;
  private boolean done;

  private BodyReader(
      ServletInputStream in,
      int max,
      long declared,
      HttpExchange.BodySink sink,
      byte[] first,
      int firstLength) {
    this.in = in;
    this.max = max;
    this.sink = sink;
    int expected = declared > 0 ? (int) Math.min(declared, max) : 256;
    this.received = new ByteArrayOutputStream(expected);
    this.received.write(first, 0, firstLength);
    this.chunk = new byte[Math.min(8192, Math.max(expected, 256))];
  }

  /**
   * Starts reading the body of an async request, after the {@code firstLength} bytes of {@code
   * first} already read; the sink is called from container threads.
   */
  static void start(
      ServletInputStream in,
      int max,
      long declared,
      HttpExchange.BodySink sink,
      byte[] first,
      int firstLength) {
    in.setReadListener(new BodyReader(in, max, declared, sink, first, firstLength));
  }

  @Override
  public void onDataAvailable() throws IOException {
    while (!done && in.isReady() && !in.isFinished()) {
      int n = in.read(chunk);
      if (n < 0) {
        return; // onAllDataRead follows
      }
      if (received.size() + n > max) {
        done = true;
        sink.failed(tooLarge(max));
        return;
      }
      received.write(chunk, 0, n);
    }
  }

  @Override
  public void onAllDataRead() {
    if (!done) {
      done = true;
      sink.body(received.toByteArray());
    }
  }

  @Override
  public void onError(Throwable t) {
    if (!done) {
      done = true;
      sink.failed(t);
    }
  }

  static RuntimeException tooLarge(int max) {
    return HttpEngine.tooLarge(max);
  }
}
