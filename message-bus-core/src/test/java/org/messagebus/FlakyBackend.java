// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendListener;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.BackendStateTracker;
import org.messagebus.spi.BackendSubscription;
import org.messagebus.spi.Retention;

/**
 * The memory backend behind a switch: while {@link #down} every read (and starting a subscription)
 * throws {@link BackendException} (the store cannot be read) and while {@link #hang} is closed
 * every read blocks (a host that silently drops packets). Publishing always works. The live stream
 * of the memory store keeps running, as a Redis or PostgreSQL subscription does for a while, and
 * {@link #store} lets a test publish as another process would. While {@link #muted}, the live
 * stream drops every message silently (a subscription that broke without noticing: what the
 * keepalive exists to detect).
 */
final class FlakyBackend implements Backend {
  final MemoryBackend store = MemoryBackend.create();
  final BackendStateTracker state = new BackendStateTracker();
  volatile boolean down;
  volatile boolean muted;
  volatile boolean failPublish;
  volatile boolean queuePublish;
  volatile CountDownLatch hang;

  /** How many calls are blocked in {@link #hang} right now. */
  final AtomicInteger hanging = new AtomicInteger();

  /** The store goes away, and the backend says so (as Redis and PostgreSQL do). */
  void goDown() {
    down = true;
    state.down("store", new BackendException("store unreachable (test)"));
  }

  /** The store is back, and the backend says so. */
  void comeBack() {
    down = false;
    state.up("store");
  }

  /** What the bus gave {@link #observer(org.messagebus.observe.BusObserver)}. */
  volatile org.messagebus.observe.BusObserver observer;

  @Override
  public void stateListener(BackendStateListener listener) {
    state.listener(listener);
  }

  @Override
  public void observer(org.messagebus.observe.BusObserver observer) {
    this.observer = observer;
  }

  private void check() {
    CountDownLatch h = hang;
    if (h != null) {
      hanging.incrementAndGet();
      try {
        h.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BackendException("interrupted (test)", e);
      } finally {
        hanging.decrementAndGet();
      }
    }
    if (down) {
      throw new BackendException("store unreachable (test)");
    }
  }

  @Override
  public long publish(String channel, String payload, BackendPublishOptions options) {
    if (failPublish) {
      throw new BackendException("publish refused (test)");
    }
    if (queuePublish) {
      return QUEUED;
    }
    return store.publish(channel, payload, options);
  }

  @Override
  public long lastId(String channel) {
    check();
    return store.lastId(channel);
  }

  @Override
  public long lastGlobalId() {
    check();
    return store.lastGlobalId();
  }

  @Override
  public List<BackendMessage> backlog(String channel, long lastId) {
    check();
    return store.backlog(channel, lastId);
  }

  @Override
  public List<BackendMessage> globalBacklog(long lastGlobalId) {
    check();
    return store.globalBacklog(lastGlobalId);
  }

  @Override
  public BackendMessage getMessage(String channel, long messageId) {
    check();
    return store.getMessage(channel, messageId);
  }

  @Override
  public BackendSubscription globalSubscribe(long lastGlobalId, BackendListener listener) {
    check();
    return store.globalSubscribe(
        lastGlobalId,
        m -> {
          if (!muted) {
            listener.onMessage(m);
          }
        });
  }

  @Override
  public void reset() {
    store.reset();
  }

  @Override
  public void expireAllBacklogs() {
    store.expireAllBacklogs();
  }

  @Override
  public Retention retention() {
    return store.retention();
  }

  @Override
  public void reconnect() {
    store.reconnect();
  }

  @Override
  public void close() {
    store.close();
  }
}
