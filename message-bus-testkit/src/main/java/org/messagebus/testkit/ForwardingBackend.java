// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendStateListener;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.observe.BusObserver;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.Retention;

/**
 * A backend that passes its calls on to another one, the {@link #delegate}, for a test's backend
 * that changes a few calls (counts the reads, fails them while its store is away, runs an action
 * between two reads) and overrides only those.
 *
 * <p>Every abstract method of {@link Backend} is passed on, and so are {@link #queuedPublishes()},
 * {@link #stateListener} and {@link #observer}, which tell or ask the delegate about its own store.
 * Three default methods are <em>not</em> passed on:
 *
 * <ul>
 *   <li>{@link #lastIds} and {@link #subscribe} keep the interface's defaults, which call this
 *       backend's {@code lastId}, {@code getMessage} and {@code globalSubscribe}: an override of
 *       those is seen by them too. A test that counts reads overrides {@code lastIds} as well when
 *       one batched read must count once.
 *   <li>{@link #messageIdScheme()} stays {@link org.messagebus.spi.MessageIdScheme#UNKNOWN}: a
 *       subclass may change what the reads return, so readers that could answer from the ids alone
 *       (the HTTP transport's recent-message window) ask the store instead. A subclass that keeps
 *       the delegate's ids and wants the window returns {@code delegate.messageIdScheme()}.
 * </ul>
 */
public abstract class ForwardingBackend implements Backend {

  /** The backend every call is passed on to. */
  protected final Backend delegate;

  /** Passes the calls on to a new {@linkplain MemoryBackend#create() memory backend}. */
  protected ForwardingBackend() {
    this(MemoryBackend.create());
  }

  /**
   * Passes the calls on to a backend.
   *
   * @param delegate the backend, closed when this one is
   */
  protected ForwardingBackend(Backend delegate) {
    this.delegate = delegate;
  }

  @Override
  public long publish(String channel, String payload, BackendPublishOptions options) {
    return delegate.publish(channel, payload, options);
  }

  @Override
  public int queuedPublishes() {
    return delegate.queuedPublishes();
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
  public @Nullable BackendMessage getMessage(String channel, long messageId) {
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
  public void stateListener(BackendStateListener listener) {
    delegate.stateListener(listener);
  }

  @Override
  public void observer(BusObserver observer) {
    delegate.observer(observer);
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
