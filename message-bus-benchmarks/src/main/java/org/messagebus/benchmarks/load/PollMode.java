// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.util.Locale;

/**
 * How the simulated browsers poll (SPEC §9.4), or which of the opt-in transports they use instead
 * (docs/http.md, "Server-Sent Events" and "WebSocket").
 */
enum PollMode {
  /**
   * Streaming long polls: the server holds the poll and writes each message as a chunk until the
   * long-polling interval ends it; then the client polls again.
   */
  STREAMING("streaming"),

  /**
   * Long polling without streaming ({@code Dont-Chunk: true}, as browsers behind buffering proxies
   * do): the server holds the poll and answers it with the first message; the client polls again
   * after each reply.
   */
  LONGPOLL("longpoll"),

  /**
   * Plain polling ({@code ?dlp=t}): the server answers at once with what it has; the client polls
   * again after the poll interval, or sooner when the reply carried data.
   */
  POLL("poll"),

  /**
   * Server-Sent Events: one {@code GET <clientId>/sse} stream per browser, one event per message;
   * when the server ends the stream, the browser opens the next one after the stream's {@code
   * retry} with the last event's id as {@code Last-Event-ID}, as {@code EventSource} does.
   */
  SSE("sse"),

  /**
   * WebSocket: one socket per browser ({@code GET <clientId>/ws} upgraded), one subscribe frame
   * with the position held, every message pushed as a JSON array; after a close the browser
   * reconnects and subscribes again from the position it holds.
   */
  WEBSOCKET("websocket");

  private final String key;

  PollMode(String key) {
    this.key = key;
  }

  /**
   * The name used in arguments and results.
   *
   * @return e.g. {@code longpoll}
   */
  String key() {
    return key;
  }

  /**
   * Whether the server holds this mode's polls (or streams, or sockets).
   *
   * @return true for every mode but plain polling
   */
  boolean held() {
    return this != POLL;
  }

  /**
   * Reads a mode from its name.
   *
   * @param s {@code streaming}, {@code longpoll}, {@code poll}, {@code sse} or {@code websocket}
   * @return the mode
   * @throws IllegalArgumentException for any other name
   */
  static PollMode parse(String s) {
    for (PollMode m : values()) {
      if (m.key.equals(s.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "mode must be streaming, longpoll, poll, sse or websocket, not: " + s);
  }
}
