// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.MessageIdScheme;

/**
 * A backend that counts the reads a poll can make of its store, for tests of which polls a
 * transport answers without the store (the HTTP transport's recent-message window): a read of a
 * channel's position ({@code lastId}, or {@code lastIds}, one read for the whole batch) or of its
 * backlog. Every call is passed on to the delegate; the message numbering it reports is the one it
 * is given. Thread-safe.
 */
public final class ReadCountingBackend extends ForwardingBackend {

  private final AtomicInteger reads = new AtomicInteger();
  private final MessageIdScheme scheme;

  /**
   * Counts the reads of a backend.
   *
   * @param delegate the backend, closed when this one is
   * @param scheme what {@link #messageIdScheme()} says: the delegate's for the window to answer
   *     from what it saw, {@link MessageIdScheme#UNKNOWN} to turn it off
   */
  public ReadCountingBackend(Backend delegate, MessageIdScheme scheme) {
    super(delegate);
    this.scheme = scheme;
  }

  /**
   * Returns how many reads were made so far.
   *
   * @return the count
   */
  public int reads() {
    return reads.get();
  }

  @Override
  public MessageIdScheme messageIdScheme() {
    return scheme;
  }

  @Override
  public long lastId(String channel) {
    reads.incrementAndGet();
    return delegate.lastId(channel);
  }

  @Override
  public long[] lastIds(List<String> channels) {
    reads.incrementAndGet();
    return delegate.lastIds(channels);
  }

  @Override
  public List<BackendMessage> backlog(String channel, long lastId) {
    reads.incrementAndGet();
    return delegate.backlog(channel, lastId);
  }
}
