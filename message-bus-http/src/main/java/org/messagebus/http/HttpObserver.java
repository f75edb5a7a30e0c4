// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

/**
 * Hears what an {@link HttpEngine} does, for metrics: how each poll ended, by mode (Server-Sent
 * Events streams included), the WebSockets opened, closed (by close code) and refused, the messages
 * and bytes sent to web clients over every transport, and long polls answered at once because
 * {@link EngineOptions#maxActiveClients()} polls were held. Every method has an empty default.
 * Gauges are read from the engine instead ({@link HttpEngine#heldPolls()}, {@link
 * HttpEngine#eventStreams()}, {@link HttpEngine#webSockets()}, {@link HttpEngine#streamsCutOff()}).
 * Register one with {@link HttpEngine#observe}; the {@code message-bus-micrometer} module binds one
 * to a Micrometer registry.
 *
 * <p><b>Threads.</b> Called on request threads, fan-out lanes, the bus's dispatch thread, the
 * timeout thread and the container's I/O threads, concurrently, sometimes while a poll's lock is
 * held: implementations must be thread-safe, fast and must not block. What a method throws is
 * logged (once per observer) and ignored.
 */
public interface HttpObserver {

  /** The observer that does nothing: an engine without observers reports to it. */
  HttpObserver NOOP = new HttpObserver() {};

  /** How a client polls (SPEC §4.3): what it asked for. */
  enum PollMode {
    /** A plain poll ({@code dlp=t}, or long polling disabled): answered at once. */
    POLL,
    /** A long poll: held until a message, the timeout or a newer poll. */
    LONG_POLL,
    /** A streaming long poll (chunked): every message is sent as it arrives until the timeout. */
    STREAM,
    /**
     * A Server-Sent Events stream ({@code GET <clientId>/sse}): held like a stream until its end
     * (between {@link EngineOptions#sseMinDuration()} and {@link EngineOptions#sseMaxDuration()}),
     * which ends it as {@link PollOutcome#TIMEOUT}.
     */
    SSE
  }

  /**
   * The code {@link #webSocketClosed} reports when the client closed the socket or the connection
   * broke (the server sent no close code of its own).
   */
  int CLOSED_BY_CLIENT = 0;

  /** How a poll ended. */
  enum PollOutcome {
    /** Answered with messages (a long poll ends with its first message). */
    DATA,
    /** Answered at once with nothing new ({@code []}, or only a status). */
    EMPTY,
    /** The long-polling interval passed (a stream's normal end). */
    TIMEOUT,
    /** A newer poll of the same client replaced it. */
    SUPERSEDED,
    /** A stream whose client stopped reading was ended ({@link EngineOptions#maxUnsentBytes()}). */
    CUT_OFF,
    /** The client closed its connection, or writing to it failed. */
    DISCONNECTED,
    /** The engine closed (shutdown, drain). */
    SHUTDOWN,
    /** Refused with a 4xx other than 429 (bad request, too large, unsupported type). */
    CLIENT_ERROR,
    /** Refused with 429: the identity holds its maximum of polls. */
    TOO_MANY_REQUESTS,
    /** Failed with a 5xx (backend unavailable, bus closed, internal error). */
    SERVER_ERROR
  }

  /**
   * A poll ended (once per poll request that reached the poll route).
   *
   * @param mode what the client asked for
   * @param outcome how it ended
   */
  default void pollEnded(PollMode mode, PollOutcome outcome) {}

  /**
   * Messages were sent to a web client (backlog or live; a {@code /__status} entry counts as one).
   *
   * @param messages how many
   */
  default void delivered(int messages) {}

  /**
   * Response body bytes were written to a web client (chunk framing included when the engine frames
   * the stream itself).
   *
   * @param bytes how many
   */
  default void bytesWritten(long bytes) {}

  /**
   * A long poll was answered at once, as a plain poll, because {@link
   * EngineOptions#maxActiveClients()} polls were held already.
   */
  default void overCapacity() {}

  /**
   * A WebSocket of the bus opened ({@link WebSocketEndpoint}). Its messages and bytes are reported
   * through {@link #delivered} and {@link #bytesWritten}, like those of polls.
   */
  default void webSocketOpened() {}

  /**
   * A WebSocket that {@linkplain #webSocketOpened() opened} closed.
   *
   * @param code the close code the server sent ({@link WebSocketSession#CLOSE_SLOW_CONSUMER},
   *     {@link WebSocketSession#CLOSE_BAD_FRAME}, {@link WebSocketSession#CLOSE_NO_PONG}, {@link
   *     WebSocketSession#CLOSE_GOING_AWAY}…), or {@link #CLOSED_BY_CLIENT} when the client closed
   *     it or the connection broke
   */
  default void webSocketClosed(int code) {}

  /**
   * A WebSocket upgrade was refused ({@link WebSocketEndpoint#admit}).
   *
   * @param status the HTTP status answered: 400, 403, 404, 429, 503 (or 500)
   */
  default void webSocketRefused(int status) {}
}
