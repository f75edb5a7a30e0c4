// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live message on its way to the held polls. The JSON a client receives does not depend on the
 * client, so it is encoded once, on first use, and the same bytes are queued on every connection
 * that is permitted to see the message (a complete response and a streamed piece differ, so each
 * form is made once). Safe to share between threads: each lazily built value is a volatile write of
 * an immutable result, and building it twice is harmless.
 */
final class Push {

  private static final Logger LOG = LoggerFactory.getLogger(Push.class);
  private static final long UNKNOWN = Long.MIN_VALUE;

  final Message message;
  final boolean targeted;
  private final ObjectMapper json;
  private final MessageBus bus;
  private volatile byte @Nullable [] body;
  private volatile byte @Nullable [] piece;
  private volatile byte @Nullable [] chunk;
  private volatile byte @Nullable [] sseData;
  private volatile long storeLastId = UNKNOWN;
  private volatile @Nullable Boolean passes;
  private volatile RecentWindow.Verdict verdict = RecentWindow.Verdict.UNKNOWN;

  Push(Message message, ObjectMapper json, MessageBus bus) {
    this.message = message;
    this.json = json;
    this.bus = bus;
    this.targeted =
        !message.userIds().isEmpty()
            || !message.groupIds().isEmpty()
            || !message.clientIds().isEmpty();
  }

  /**
   * Records what the recent-message window knows about this message's place in its channel, before
   * the message is handed to the held polls.
   */
  void verdict(RecentWindow.Verdict v) {
    this.verdict = v;
  }

  /** Whether the client message filters let the message through (asked once). */
  boolean passesFilters() {
    Boolean p = passes;
    if (p == null) {
      p = bus.passesClientMessageFilters(message);
      passes = p;
    }
    return p;
  }

  /** The one-message JSON array, as a complete response body. */
  byte[] body() {
    byte[] b = body;
    if (b == null) {
      b = Wire.json(json, List.of(message));
      body = b;
    }
    return b;
  }

  /** The one-message JSON array as a streamed piece. */
  byte[] piece() {
    byte[] p = piece;
    if (p == null) {
      p = Wire.piece(body());
      piece = p;
    }
    return p;
  }

  /** The streamed piece as one complete chunk, for a stream the filter frames itself. */
  byte[] chunk() {
    byte[] c = chunk;
    if (c == null) {
      c = Wire.chunk(piece());
      chunk = c;
    }
    return c;
  }

  /** The message as the {@code data:} part of a Server-Sent Event (the id line is per client). */
  byte[] sseData() {
    byte[] d = sseData;
    if (d == null) {
      d = Wire.sseData(body());
      sseData = d;
    }
    return d;
  }

  /**
   * Tells whether the ids of this message's channel restarted below a position a client holds (a
   * reset, or an expired channel). Otherwise a message at or before that position is one the client
   * already has, pushed late by a lagging dispatcher. The recent-message window usually knows (it
   * saw the channel's previous message, or the backend numbers by global id); only when it does not
   * is the store asked whether its newest id of the channel is below the position, at most once per
   * message. If the store cannot tell, the message is taken as already delivered.
   */
  boolean idsRestartedBelow(long position) {
    RecentWindow.Verdict v = verdict;
    if (v != RecentWindow.Verdict.UNKNOWN) {
      return v == RecentWindow.Verdict.RESTARTED;
    }
    long last = storeLastId;
    if (last == UNKNOWN) {
      try {
        last = bus.lastId(message.channel(), message.siteId());
      } catch (RuntimeException e) {
        LOG.debug("cannot read the last id of {}: {}", message.channel(), e.toString());
        last = Long.MAX_VALUE;
      }
      storeLastId = last;
    }
    return last < position;
  }
}
