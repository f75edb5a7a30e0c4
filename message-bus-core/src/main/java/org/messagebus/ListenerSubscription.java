// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One server-side subscription. Starts in catch-up mode, in which the dispatch thread buffers live
 * messages; it goes live exactly once, in one of two ways, on the thread that catches it up (the
 * subscribing thread, or the bus's background thread after an outage):
 *
 * <ul>
 *   <li>{@link #catchUp} replays the backlog read from the store, drains the buffer (dropping what
 *       the replay already delivered) and switches to direct delivery on the dispatch thread;
 *   <li>{@link #goLiveAfter} (a subscription "from now on" whose store could not be read) drains
 *       the buffer and switches, delivering only messages the dispatcher numbered after the given
 *       dispatch sequence: what this process received after the subscription was registered.
 * </ul>
 *
 * The lock makes the switch atomic, so the listener is never called by two threads at once and sees
 * each message once, in order.
 *
 * <p>The replay reads the store, which may be ahead of the firehose: when the switch happens the
 * dispatch thread may still have to deliver messages the replay already covered. So a message is
 * also dropped after the switch while the firehose has not yet passed the <em>horizon</em> (the
 * store's newest global id once the replay was read) and its position is at or before the last one
 * delivered. Once the firehose passed the horizon nothing is dropped, so positions that restart (a
 * reset, an expired Redis channel) are delivered.
 */
final class ListenerSubscription extends KeyedSubscription {

  private final Dispatcher dispatcher;
  private final MessageListener listener;
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock until live is true; afterwards touched by the dispatch thread only
  private @Nullable List<Pending> buffer = new ArrayList<>();
  // written before live becomes true, read by the dispatch thread after it sees live
  private Dispatcher.@Nullable Stream stream;

  private long delivered;
  private long horizon;
  private long afterSequence = Long.MIN_VALUE;
  private volatile boolean live;
  private volatile boolean active = true;

  ListenerSubscription(Dispatcher dispatcher, Dispatcher.Key key, MessageListener listener) {
    super(key);
    this.dispatcher = dispatcher;
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * A live message buffered during catch-up, with the firehose's highest global id before it and
   * its dispatch sequence number.
   */
  private record Pending(Message message, long highestBefore, long sequence) {}

  /**
   * Called on the dispatch thread for every message matching {@link #key}.
   *
   * @param m the message
   * @param highestBefore the highest global id the firehose delivered before this message
   * @param sequence the message's dispatch sequence number
   */
  void offer(Message m, long highestBefore, long sequence) {
    if (!active) {
      return;
    }
    if (!live) {
      lock.lock();
      try {
        if (!live) {
          Objects.requireNonNull(buffer, "the buffer lives until live is set")
              .add(new Pending(m, highestBefore, sequence));
          return;
        }
      } finally {
        lock.unlock();
      }
    }
    if (sequence > afterSequence && !alreadyDelivered(m, highestBefore)) {
      invoke(m);
    }
  }

  /** True for a message the replay covered, delivered late by a firehose behind the horizon. */
  private boolean alreadyDelivered(Message m, long highestBefore) {
    if (highestBefore >= horizon) {
      return false;
    }
    Dispatcher.Stream s = Objects.requireNonNull(stream, "a replayed subscription has a stream");
    return s.contains(m) && s.position(m) <= delivered;
  }

  /**
   * Delivers the replayed backlog, then the buffered live messages that follow it, then switches to
   * live delivery. Runs on the thread that catches up (the subscribing thread, or the bus's
   * background thread after an outage).
   *
   * @param replay the backlog after the starting position, ascending
   * @param stream tells which messages belong to the replayed sequence, and their position in it
   * @param position the starting position
   * @param horizon the store's newest global id, read after the backlog
   */
  void catchUp(List<Message> replay, Dispatcher.Stream stream, long position, long horizon) {
    this.stream = stream;
    this.horizon = horizon;
    long last = position;
    for (Message m : replay) {
      invoke(m);
      last = stream.position(m);
    }
    this.delivered = last;
    drainAndGoLive();
  }

  /**
   * Switches to live delivery without a replay: only messages with a dispatch sequence number above
   * {@code sequence} are delivered, buffered ones first. Runs on the subscribing thread.
   *
   * @param sequence the dispatcher's sequence read right after this subscription was registered
   */
  void goLiveAfter(long sequence) {
    this.horizon = Long.MIN_VALUE; // nothing was replayed, so nothing can be a late duplicate
    this.afterSequence = sequence;
    drainAndGoLive();
  }

  private void drainAndGoLive() {
    while (true) {
      List<Pending> batch;
      lock.lock();
      try {
        List<Pending> pendingBatch = Objects.requireNonNull(buffer, "drained once only");
        if (pendingBatch.isEmpty()) {
          buffer = null;
          live = true;
          return;
        }
        batch = pendingBatch;

        buffer = new ArrayList<>();
      } finally {
        lock.unlock();
      }
      for (Pending p : batch) {
        Message m = p.message();
        if (p.sequence() <= afterSequence || alreadyDelivered(m, p.highestBefore())) {
          continue;
        }
        if (stream != null && stream.contains(m) && stream.position(m) > delivered) {
          delivered = stream.position(m);
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
}
