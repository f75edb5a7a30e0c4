// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.micrometer;

import java.util.ArrayDeque;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;
import org.messagebus.BackendStateListener;
import org.messagebus.observe.BusObserver;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendStateTracker;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.testkit.ForwardingBackend;

/**
 * The memory backend behind a switch that behaves, for the bus, as the Redis backend does in an
 * outage: it reports its {@linkplain org.messagebus.BackendState state} through a {@link
 * BackendStateTracker}, reads fail with {@link BackendException} while the store is down, and
 * publishes are queued in memory ({@link Backend#QUEUED}) and written, in order, when it is back.
 * The live stream of the memory store keeps running; every other call is passed on to it. (The
 * memory backend itself cannot lose its store; the real Redis outage, through the testkit's TCP
 * proxy, belongs with the Redis suite.)
 */
final class OutageBackend extends ForwardingBackend {

  private final BackendStateTracker state = new BackendStateTracker();
  private final ArrayDeque<String[]> queue = new ArrayDeque<>(); // guarded by this
  private volatile boolean down;
  // While down, refuse publishes instead of queuing them (Redis with queueInMemory off, or full).
  volatile boolean refuse;

  OutageBackend() {
    state.up("store");
  }

  /** The store goes away, and the backend says so. */
  void goDown() {
    down = true;
    state.down("store", new BackendException("store unreachable (test)"));
  }

  /** The store is back: the queue is written, and the backend says so. */
  void comeBack() {
    synchronized (this) {
      down = false;
      for (String[] p = queue.poll(); p != null; p = queue.poll()) {
        delegate.publish(p[0], p[1], BackendPublishOptions.NONE);
      }
    }
    state.up("store");
  }

  private void check() {
    if (down) {
      throw new BackendException("store unreachable (test)");
    }
  }

  /** What the bus gave {@link #observer(BusObserver)}: how Redis and PostgreSQL report. */
  volatile @Nullable BusObserver observer;

  @Override
  public void stateListener(BackendStateListener listener) {
    state.listener(listener);
  }

  @Override
  public void observer(BusObserver observer) {
    this.observer = observer;
  }

  @Override
  public synchronized long publish(String channel, String payload, BackendPublishOptions options) {
    if (down) {
      if (refuse) {
        throw new BackendException("store unreachable, publish refused (test)");
      }
      queue.add(new String[] {channel, payload});
      return QUEUED;
    }
    return delegate.publish(channel, payload, options);
  }

  @Override
  public synchronized int queuedPublishes() {
    return queue.size();
  }

  @Override
  public long lastId(String channel) {
    check();
    return delegate.lastId(channel);
  }

  @Override
  public long lastGlobalId() {
    check();
    return delegate.lastGlobalId();
  }

  @Override
  public List<BackendMessage> backlog(String channel, long lastId) {
    check();
    return delegate.backlog(channel, lastId);
  }

  @Override
  public List<BackendMessage> globalBacklog(long lastGlobalId) {
    check();
    return delegate.globalBacklog(lastGlobalId);
  }

  @Override
  public @Nullable BackendMessage getMessage(String channel, long messageId) {
    check();
    return delegate.getMessage(channel, messageId);
  }

  @Override
  public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
    check();
    return delegate.globalSubscribe(lastGlobalId, listener);
  }
}
