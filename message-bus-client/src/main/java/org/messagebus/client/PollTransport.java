// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The seam between the poll loop and the wire: one exchange carries the client's positions to the
 * server and brings back the messages after them.
 *
 * <p>The loop opens one exchange at a time and waits for it to end; what it does then (poll again,
 * pause, back off) is the loop's business, never the transport's. A one request/one reply transport
 * (HTTP polling and long polling) hands the sink one batch and ends; a streaming one hands it a
 * batch per piece as pieces arrive and ends with the reply; a pushing one (Server-Sent Events,
 * WebSocket) may keep the exchange open indefinitely, handing the sink a batch whenever the server
 * pushes. When the channel set changes the loop cancels the exchange and opens a new one with the
 * new positions.
 *
 * <p>Implementations never block the caller of {@link #open} (beyond queuing the request) and must
 * be thread-safe.
 */
interface PollTransport {

  /**
   * Starts an exchange.
   *
   * @param request the positions to send
   * @param sink receives the messages
   * @return the exchange, already under way
   */
  Exchange open(Request request, Sink sink);

  /**
   * What one exchange asks for.
   *
   * @param positions channel to last message id (or a negative position, SPEC §4.2), in
   *     subscription order; never empty
   * @param seq the poll's sequence number ({@code __seq}), increasing per client
   */
  record Request(Map<String, Long> positions, long seq) {
    /** Copies the positions. */
    public Request {
      positions = Collections.unmodifiableMap(new LinkedHashMap<>(positions));
    }
  }

  /** Receives what an exchange brings. */
  @FunctionalInterface
  interface Sink {
    /**
     * Takes one batch of messages in the server's order, {@code /__status} messages included. Calls
     * for one exchange never overlap and all happen before its {@link Exchange#done()} completes.
     * Must not block.
     *
     * @param messages the batch; never empty
     */
    void accept(List<ClientMessage> messages);

    /**
     * Tells that an exchange that stays open (Server-Sent Events, WebSocket) is established: the
     * server accepted it and is sending. Such an exchange may never end in good order, so the loop
     * resets its count of consecutive failures here. Does nothing by default.
     */
    default void established() {}
  }

  /** One exchange under way. */
  interface Exchange {
    /**
     * Returns the exchange's end: completed normally when the server ended it in good order;
     * exceptionally with a {@link RetryAfterException} when the server asked the client to wait,
     * with an {@link java.io.IOException} for any other failure (connection, status, framing,
     * JSON), or with a {@link java.util.concurrent.CancellationException} after {@link #cancel()}.
     *
     * @return the future of the exchange's end
     */
    CompletableFuture<Void> done();

    /**
     * Ends the exchange at once from any thread, whatever its stage (request not yet sent, waiting
     * for the headers, reading the body): the connection's work is aborted and {@link #done()}
     * completes with a {@link java.util.concurrent.CancellationException} unless it had already
     * completed. The sink may still see a batch that was being handed over. Idempotent.
     */
    void cancel();
  }
}
