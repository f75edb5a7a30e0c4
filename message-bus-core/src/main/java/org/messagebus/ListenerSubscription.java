package org.messagebus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One server-side subscription. Starts in catch-up mode, in which the dispatch thread buffers live
 * messages while the subscribing thread replays the backlog; {@link #goLive} drains the buffer
 * (dropping what the replay already delivered) and switches to direct delivery on the dispatch
 * thread. The lock makes the switch atomic, so the listener is never called by two threads at once
 * and sees each message once, in order.
 */
final class ListenerSubscription implements Subscription {

  private final Dispatcher dispatcher;
  final Dispatcher.Key key;
  private final MessageListener listener;
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock until live is true; afterwards touched by the dispatch thread only
  private List<Message> buffer = new ArrayList<>();
  private volatile boolean live;
  private volatile boolean active = true;

  ListenerSubscription(Dispatcher dispatcher, Dispatcher.Key key, MessageListener listener) {
    this.dispatcher = dispatcher;
    this.key = key;
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** Called on the dispatch thread for every message matching {@link #key}. */
  void offer(Message m) {
    if (!active) {
      return;
    }
    if (!live) {
      lock.lock();
      try {
        if (!live) {
          buffer.add(m);
          return;
        }
      } finally {
        lock.unlock();
      }
    }
    invoke(m);
  }

  /**
   * Delivers the replayed backlog, then the buffered live messages that follow it, then switches to
   * live delivery. Runs on the subscribing thread.
   *
   * @param replay the backlog after the starting position, ascending
   * @param stream tells which messages belong to the replayed sequence, and their position in it
   * @param position the starting position
   */
  void catchUp(List<Message> replay, Dispatcher.Stream stream, long position) {
    long delivered = position;
    for (Message m : replay) {
      invoke(m);
      delivered = stream.position(m);
    }
    while (true) {
      List<Message> batch;
      lock.lock();
      try {
        if (buffer.isEmpty()) {
          buffer = null;
          live = true;
          return;
        }
        batch = buffer;
        buffer = new ArrayList<>();
      } finally {
        lock.unlock();
      }
      for (Message m : batch) {
        if (stream.contains(m)) {
          long p = stream.position(m);
          if (p <= delivered) {
            continue;
          }
          delivered = p;
        }
        invoke(m);
      }
    }
  }

  private void invoke(Message m) {
    if (!active) {
      return;
    }
    try {
      listener.onMessage(m);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable t) {
      dispatcher.listenerFailed(this, m, t);
    }
  }

  @Override
  public String channel() {
    return key.channel();
  }

  @Override
  public String siteId() {
    return key.site();
  }

  @Override
  public boolean isActive() {
    return active;
  }

  @Override
  public void unsubscribe() {
    if (active) {
      active = false;
      dispatcher.remove(this);
    }
  }

  @Override
  public String toString() {
    return "Subscription{channel="
        + (key.channel() == null ? "*" : key.channel())
        + (key.site() == null ? "" : ", site=" + key.site())
        + '}';
  }
}
