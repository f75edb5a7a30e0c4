// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.util.Locale;

/** How the simulated browsers poll (SPEC §9.4). */
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
  POLL("poll");

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
   * Whether the server holds this mode's polls.
   *
   * @return true for streaming and long polling
   */
  boolean held() {
    return this != POLL;
  }

  /**
   * Reads a mode from its name.
   *
   * @param s {@code streaming}, {@code longpoll} or {@code poll}
   * @return the mode
   * @throws IllegalArgumentException for any other name
   */
  static PollMode parse(String s) {
    for (PollMode m : values()) {
      if (m.key.equals(s.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException("mode must be streaming, longpoll or poll, not: " + s);
  }
}
