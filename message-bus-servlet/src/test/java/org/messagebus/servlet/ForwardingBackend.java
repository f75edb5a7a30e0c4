// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.util.List;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.Retention;

/**
 * A memory backend behind a wrapper: every abstract method of {@link Backend} is forwarded to
 * {@link #delegate}, so a test's backend overrides only what it changes. The default methods
 * ({@code lastIds}, {@code subscribe}) are not forwarded: they call this wrapper's methods, so an
 * override is seen by them too.
 */
abstract class ForwardingBackend implements Backend {

  final MemoryBackend delegate = MemoryBackend.create();

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
