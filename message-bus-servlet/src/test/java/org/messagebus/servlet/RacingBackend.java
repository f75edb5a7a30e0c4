// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.Retention;

/**
 * A memory backend that runs a test's action once, right after the next {@code lastIds} read: a
 * publish landing between a poll's read of the channels' positions and its read of their backlogs,
 * deterministically (on Redis the window is a round trip).
 */
final class RacingBackend implements Backend {

  final MemoryBackend delegate = MemoryBackend.create();
  private final AtomicReference<Runnable> afterLastIds = new AtomicReference<>();

  /** Runs {@code action} once, after the next {@code lastIds} read has taken its values. */
  void afterNextLastIds(Runnable action) {
    afterLastIds.set(action);
  }

  /** Whether the armed action has run. */
  boolean fired() {
    return afterLastIds.get() == null;
  }

  @Override
  public long[] lastIds(List<String> channels) {
    long[] ids = delegate.lastIds(channels);
    Runnable action = afterLastIds.getAndSet(null);
    if (action != null) {
      action.run();
    }
    return ids;
  }

  @Override
  public long publish(String channel, String payload, BackendPublishOptions options) {
    return delegate.publish(channel, payload, options);
  }

  @Override
  public long lastId(String channel) {
    return delegate.lastId(channel);
  }

  @Override
  public long lastGlobalId() {
    return delegate.lastGlobalId();
  }

  @Override
  public List<BackendMessage> backlog(String channel, long lastId) {
    return delegate.backlog(channel, lastId);
  }

  @Override
  public List<BackendMessage> globalBacklog(long lastGlobalId) {
    return delegate.globalBacklog(lastGlobalId);
  }

  @Override
  public BackendMessage getMessage(String channel, long messageId) {
    return delegate.getMessage(channel, messageId);
  }

  @Override
  public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
    return delegate.globalSubscribe(lastGlobalId, listener);
  }

  @Override
  public void reset() {
    delegate.reset();
  }

  @Override
  public void expireAllBacklogs() {
    delegate.expireAllBacklogs();
  }

  @Override
  public Retention retention() {
    return delegate.retention();
  }

  @Override
  public void reconnect() {
    delegate.reconnect();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
