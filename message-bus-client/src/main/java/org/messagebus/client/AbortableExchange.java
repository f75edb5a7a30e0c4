// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.util.concurrent.CompletableFuture;

/**
 * An {@link PollTransport.Exchange} whose end is one future: the first of success, failure and
 * cancellation completes it, and a failure or a cancellation then aborts the work under way ({@link
 * #abort()}), from whichever thread decided.
 */
abstract class AbortableExchange implements PollTransport.Exchange {

  /** The exchange's end; complete it only through {@link #fail} or {@link #cancel} to fail it. */
  final CompletableFuture<Void> done = new CompletableFuture<>();

  /** Stops the connection's work at whatever stage it is. Idempotent; any thread. */
  abstract void abort();

  @Override
  public final CompletableFuture<Void> done() {
    return done;
  }

  @Override
  public final void cancel() {
    if (done.cancel(false)) {
      abort();
    }
  }

  /** Fails the exchange, unless it has ended, and aborts its work. */
  final void fail(Throwable error) {
    if (done.completeExceptionally(error)) {
      abort();
    }
  }
}
