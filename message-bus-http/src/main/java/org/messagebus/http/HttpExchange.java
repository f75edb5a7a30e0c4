// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.io.IOException;

/**
 * One HTTP request and its response as the engine sees them: a request view, a way to read the body
 * without holding a thread, and a response that is either answered at once ({@link #send}) or held
 * and written with non-blocking output ({@link #hold}). An adapter implements it for one transport
 * (Servlet, Jetty's core handler, a fake in tests); the engine never sees the transport's types.
 *
 * <p><b>Answered at once.</b> Set {@link #status}, {@link #header}s and {@link #contentType}, then
 * {@link #send} the whole body, which ends the exchange.
 *
 * <p><b>Held.</b> {@link #hold} hands the response to a {@link HeldListener}; from then on the
 * engine writes with {@link #isReady}, {@link #write} and {@link #flush} (never blocking: when
 * {@code isReady} says false the adapter calls {@link HeldListener#onWritePossible} later) and ends
 * it with {@link #complete}, after which the adapter calls {@link HeldListener#onComplete} once.
 * {@code complete} is idempotent: the first call ends the exchange, later calls do nothing.
 *
 * <p><b>Threads.</b> The adapter serialises its callbacks for one exchange; the engine calls output
 * methods under its own per-poll lock.
 */
public interface HttpExchange extends HttpRequestView {

  /** Where a request body goes once it is in, or why it is not. Exactly one is called, once. */
  interface BodySink {
    /**
     * The whole body arrived.
     *
     * @param body the bytes
     */
    void body(byte[] body);

    /**
     * The body could not be read: too large (a 413 {@link BadRequestException}), an I/O error, or a
     * {@link java.util.concurrent.TimeoutException}.
     *
     * @param failure what went wrong
     */
    void failed(Throwable failure);
  }

  /** The events of a held response. */
  interface HeldListener {
    /** The output takes more bytes now. */
    void onWritePossible();

    /**
     * The output failed (the client went away, a write error).
     *
     * @param failure what failed
     */
    void onError(Throwable failure);

    /** The exchange ended (after {@link #complete}, or ended by the transport). Called once. */
    void onComplete();
  }

  /** A running watch for the client's close of a held poll's connection. */
  interface DisconnectWatch {
    /** The watch of a connection that cannot be watched. */
    DisconnectWatch NONE = () -> {};

    /** Stops watching, before the response completes. Idempotent. */
    void cancel();
  }

  /**
   * Tells whether this exchange may be held open (Servlet: async supported).
   *
   * @return true when {@link #hold} works
   */
  boolean canHold();

  /**
   * Reads the request body without blocking a thread and hands it to the sink (possibly on another
   * thread, possibly before this method returns). A body over {@code max} bytes fails with 413.
   *
   * @param max the largest accepted body
   * @param sink where the body or the failure goes
   * @throws IOException if reading cannot start
   */
  void readBody(int max, BodySink sink) throws IOException;

  /**
   * Sets the status.
   *
   * @param status the HTTP status
   */
  void status(int status);

  /**
   * Sets a response header, replacing any value.
   *
   * @param name the name
   * @param value the value
   */
  void header(String name, String value);

  /**
   * Sets the {@code Content-Type}, sent byte for byte where the transport allows (SPEC §4.7).
   *
   * @param value the exact header value
   */
  void contentType(String value);

  /**
   * Sets the {@code Content-Length}.
   *
   * @param length the length in bytes
   */
  void contentLength(long length);

  /**
   * Tells whether the response head was sent.
   *
   * @return true when status and headers can no longer change
   */
  boolean isCommitted();

  /** Clears status, headers and any unsent body (before it is committed). */
  void reset();

  /**
   * Writes a complete body (with its length) and ends the exchange.
   *
   * @param body the body
   * @throws IOException if the write fails
   */
  void send(byte[] body) throws IOException;

  /**
   * Announces that this response will be held: the headers set from now on are those of the held
   * response. Called before any of them, and before {@link #frameStream}.
   */
  void prepareHold();

  /**
   * Holds the response open; the listener receives its events. Headers must be set already.
   *
   * @param listener the listener
   * @throws IOException if the transport refuses
   */
  void hold(HeldListener listener) throws IOException;

  /**
   * Prepares a streamed response's chunk framing, before anything is written.
   *
   * @param mayKeepAlive whether the connection may carry the client's next request once the stream
   *     has ended (false: it closes at the end, as Ruby's server does, {@code
   *     closeHeldPollConnections}); a transport keeps it only where it can while framing each piece
   *     as one complete chunk, and only when the request allows it
   * @return true when the engine writes the chunk framing itself (each piece one complete chunk,
   *     SPEC §4.12), false when the transport frames the stream
   */
  boolean frameStream(boolean mayKeepAlive);

  /**
   * Asks the transport to close the connection once this response has ended, instead of keeping it
   * for the client's next request: a stream cut off because its client does not read. Nothing where
   * the connection closes anyway.
   */
  default void closeConnectionWhenDone() {}

  /**
   * Tells whether a held response takes more bytes now.
   *
   * @return true when {@link #write} will not block
   */
  boolean isReady();

  /**
   * Writes bytes to a held response; call only when {@link #isReady}.
   *
   * @param bytes the bytes
   * @throws IOException if the write fails
   */
  void write(byte[] bytes) throws IOException;

  /**
   * Sends what was written so far; call only when {@link #isReady}.
   *
   * @throws IOException if the write fails
   */
  void flush() throws IOException;

  /** Ends a held response. Idempotent: only the first call ends it. */
  void complete();

  /**
   * Starts watching the connection of a held poll for the client's close; {@code onGone} runs once
   * when it closes. A transport that reads the connection meanwhile must not lose a request the
   * client sent ahead on a connection the response keeps open (it may close the connection).
   *
   * @param onGone what to run
   * @return the watch, or {@link DisconnectWatch#NONE} where the transport cannot tell
   */
  DisconnectWatch watchDisconnect(Runnable onGone);

  /**
   * Tells whether the calling thread must not block: a transport's I/O thread (Jetty's selector,
   * when the handler is declared non-blocking) that runs the request inline to save a thread
   * hand-off. The engine then does on it only work that cannot block, and hands the rest (a store
   * read, a lookup that may block) to {@link #dispatch}.
   *
   * @return false by default: the thread may block
   */
  default boolean mustNotBlock() {
    return false;
  }

  /**
   * Runs a task where it may block: on the transport's worker threads when the calling thread
   * {@link #mustNotBlock() must not block}, else at once on the calling thread.
   *
   * @param task the rest of the request's handling
   */
  default void dispatch(Runnable task) {
    task.run();
  }
}
