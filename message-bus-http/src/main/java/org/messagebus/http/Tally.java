// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import org.jspecify.annotations.Nullable;

/**
 * What one fan-out of live messages delivered: messages and bytes, counted in plain fields while
 * the fan-out writes to each client, and told to the observer once at its end ({@link #flush}),
 * instead of two observer calls (two atomic additions when metrics are bound) per client.
 *
 * <p><b>Threads.</b> Owned by the thread of one fan-out (a fan-out lane, or the dispatch thread
 * without lanes); a client adds to it under its own lock, while that thread delivers to it.
 */
final class Tally {

  private @Nullable HttpObserver observer;
  private int messages;
  private long bytes;

  /**
   * Adds a client's deliveries, if they go to the same observer as the others of this tally.
   *
   * @return false if the client reports to another observer: it tells its own directly
   */
  boolean add(HttpObserver to, int deliveredMessages, long writtenBytes) {
    if (observer == null) {
      observer = to;
    } else if (observer != to) {
      return false;
    }
    messages += deliveredMessages;
    bytes += writtenBytes;
    return true;
  }

  /** Tells the observer what was counted, and starts over. */
  void flush() {
    HttpObserver o = observer;
    if (o == null) {
      return;
    }
    observer = null;
    if (messages != 0) {
      o.delivered(messages);
    }
    if (bytes != 0) {
      o.bytesWritten(bytes);
    }
    messages = 0;
    bytes = 0;
  }
}
