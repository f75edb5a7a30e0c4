// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.messagebus.JsonTransportCodec;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.spi.ChannelNames;
import org.messagebus.spi.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The held polls of one endpoint, indexed by client id and by site and channel (SPEC §5.1).
 *
 * <p><b>Threads.</b> One lock guards both indexes; it is never held while a client is written to or
 * closed, so the lock order is always client, then manager. {@link #notify} runs on the bus
 * dispatch thread: under the lock it takes the channel's snapshot of subscribers (an array rebuilt
 * only after the set changed), then hands the message to the fan-out lanes. Each held poll belongs
 * to one lane (round robin at registration), and a lane is one thread taking messages in order, so
 * every client still receives its messages in publish order while the lanes write to different
 * connections in parallel. With one lane the dispatch thread writes itself. A client's output is
 * non-blocking, so a slow client costs nothing here.
 *
 * <p>Fixes over Ruby: a client is removed only if it is the registered instance (a rejected or
 * replaced poll cannot unregister its successor), and messages on {@code /global/} channels reach
 * held clients of every site.
 */
final class ConnectionManager {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionManager.class);
  private static final Client[] NONE = new Client[0];
  private static final int MAX_BATCH = 64;

  private final MessageBus bus;
  private final ObjectMapper json;
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private final Map<String, Client> clients = new HashMap<>();
  // clients.size(), written under the lock and read without it: every poll checks the limit.
  private volatile int clientCount;
  private final Map<String, Map<String, Subscribers>> bySite = new HashMap<>();
  private int nextLane;
  private final Lane @Nullable [] lanes;

  /** The held polls of one channel of one site, with a snapshot for iteration. */
  private static final class Subscribers {
    final LinkedHashSet<Client> set = new LinkedHashSet<>();
    Client @Nullable [] snapshot;

    Client[] snapshot() {
      Client[] s = snapshot;
      if (s == null) {
        s = set.toArray(NONE);
        snapshot = s;
      }
      return s;
    }
  }

  /** One fan-out thread: writes messages, in order, to the held polls assigned to it. */
  private final class Lane implements Runnable {
    final int index;
    final LinkedBlockingQueue<Object[]> queue = new LinkedBlockingQueue<>();
    final Thread thread;
    // What this lane's fan-out of one message (or batch) delivered: told to the observer once.
    private final Tally tally = new Tally();

    Lane(int index) {
      this.index = index;
      this.thread = DaemonThreads.newThread("message-bus-http-fanout", this);
      thread.start();
    }

    @Override
    public void run() {
      List<Object[]> batch = new ArrayList<>();
      List<Push> pushes = new ArrayList<>();
      try {
        while (true) {
          Object[] first = queue.poll(1, TimeUnit.SECONDS);
          if (first == null) {
            if (closed) {
              return;
            }
            continue;
          }
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
          // Messages that go to the same subscribers (the common case when the lane is behind)
          // are written to each client together, in one write.
          int i = 0;
          while (i < batch.size()) {
            Object[] task = batch.get(i);
            int j = i + 1;
            while (j < batch.size() && sameTargets(task, batch.get(j))) {
              j++;
            }
            if (j - i == 1) {
              deliverTask(task);
            } else {
              pushes.clear();
              for (int k = i; k < j; k++) {
                pushes.add((Push) batch.get(k)[0]);
              }
              deliverBatch(task, pushes);
            }
            i = j;
          }
          batch.clear();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void deliverTask(Object[] task) {
      Push push = (Push) task[0];
      try {
        for (int t = 1; t < task.length; t++) {
          for (Client c : (Client[]) task[t]) {
            if (c.lane == index) {
              deliver(c, push, tally);
            }
          }
        }
      } finally {
        tally.flush();
      }
    }

    private void deliverBatch(Object[] task, List<Push> pushes) {
      try {
        deliverBatchCounted(task, pushes);
      } finally {
        tally.flush();
      }
    }

    private void deliverBatchCounted(Object[] task, List<Push> pushes) {
      List<Push> allowed = new ArrayList<>(pushes.size());
      for (int t = 1; t < task.length; t++) {
        for (Client c : (Client[]) task[t]) {
          if (c.lane != index) {
            continue;
          }
          try {
            allowed.clear();
            for (Push p : pushes) {
              if (Permissions.allowed(c, p)) {
                allowed.add(p);
              }
            }
            if (!allowed.isEmpty() && c.offer(allowed, tally)) {
              remove(c);
            }
          } catch (RuntimeException e) {
            LOG.warn("failed to notify client {} of {} messages", c.id, pushes.size(), e);
          }
        }
      }
    }
  }

  /** Whether two fan-out tasks go to the very same subscriber snapshots. */
  private static boolean sameTargets(Object[] a, Object[] b) {
    if (a.length != b.length) {
      return false;
    }
    for (int i = 1; i < a.length; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    return true;
  }

  private volatile boolean closed;

  ConnectionManager(MessageBus bus) {
    this(
        bus,
        bus.codec() instanceof JsonTransportCodec codec
            ? codec.mapper()
            : JsonTransportCodec.defaultMapper(),
        1);
  }

  ConnectionManager(MessageBus bus, ObjectMapper json, int fanOutThreads) {
    this.bus = bus;
    this.json = json;
    if (fanOutThreads > 1) {
      lanes = new Lane[fanOutThreads];
      for (int i = 0; i < fanOutThreads; i++) {
        lanes[i] = new Lane(i);
      }
    } else {
      lanes = null;
    }
  }

  /**
   * Registers a held poll. Returns false, registering nothing, when a poll of the same client with
   * a greater sequence number is held; otherwise replaces (and closes) any previous poll.
   */
  boolean add(Client client) {
    Client replaced;
    lock.lock();
    try {
      replaced = clients.get(client.id);
      if (replaced != null && replaced.seq > client.seq) {
        return false;
      }
      if (replaced != null) {
        unindex(replaced);
      }
      if (lanes != null) {
        client.lane = nextLane;
        nextLane = (nextLane + 1) % lanes.length;
      }
      clients.put(client.id, client);
      client.indexed = true;
      clientCount = clients.size();
      Map<String, Subscribers> channels =
          bySite.computeIfAbsent(client.siteId, s -> new HashMap<>());
      for (String channel : client.subscriptions.keySet()) {
        Subscribers subs = channels.computeIfAbsent(channel, c -> new Subscribers());
        subs.set.add(client);
        subs.snapshot = null;
      }
    } finally {
      lock.unlock();
    }
    if (replaced != null) {
      replaced.close(HttpObserver.PollOutcome.SUPERSEDED);
    }
    return true;
  }

  /**
   * Unregisters a poll if it is still the registered one for its client id. A poll unregistered
   * already costs no lock: an answered long poll is removed twice, by the end of its exchange and
   * by the fan-out that answered it, and the polls registering meanwhile wait on this lock.
   */
  void remove(Client client) {
    if (!client.indexed) {
      return;
    }
    lock.lock();
    try {
      if (clients.get(client.id) == client) {
        unindex(client);
      }
    } finally {
      lock.unlock();
    }
  }

  private void unindex(Client client) {
    clients.remove(client.id);
    client.indexed = false;
    clientCount = clients.size();
    Map<String, Subscribers> channels = bySite.get(client.siteId);
    if (channels == null) {
      return;
    }
    for (String channel : client.subscriptions.keySet()) {
      Subscribers subs = channels.get(channel);
      if (subs != null && subs.set.remove(client)) {
        subs.snapshot = null;
        if (subs.set.isEmpty()) {
          channels.remove(channel);
        }
      }
    }
    if (channels.isEmpty()) {
      bySite.remove(client.siteId);
    }
  }

  /** Pushes a live message to every held poll subscribed to its channel and permitted to see it. */
  void notify(Message m) {
    notify(new Push(m, json, bus));
  }

  /** Pushes a live message, already wrapped, as {@link #notify(Message)} does. */
  void notify(Push push) {
    Message m = push.message;
    // No list for a message nobody here holds a poll for (a broadcast, a quiet channel).
    @Nullable List<Client[]> targets = null;
    lock.lock();
    try {
      if (ChannelNames.isGlobal(m.channel())) {
        for (Map<String, Subscribers> channels : bySite.values()) {
          Subscribers subs = channels.get(m.channel());
          if (subs != null) {
            if (targets == null) {
              targets = new ArrayList<>(2);
            }
            targets.add(subs.snapshot());
          }
        }
      } else {
        Map<String, Subscribers> channels = bySite.get(m.siteId());
        Subscribers subs = channels == null ? null : channels.get(m.channel());
        if (subs != null) {
          targets = List.<Client[]>of(subs.snapshot());
        }
      }
    } finally {
      lock.unlock();
    }
    if (targets == null) {
      return;
    }
    if (lanes == null) {
      Tally tally = new Tally();
      try {
        for (Client[] group : targets) {
          for (Client c : group) {
            deliver(c, push, tally);
          }
        }
      } finally {
        tally.flush();
      }
      return;
    }
    Object[] task = new Object[targets.size() + 1];
    task[0] = push;
    for (int i = 0; i < targets.size(); i++) {
      task[i + 1] = targets.get(i);
    }
    for (Lane lane : lanes) {
      lane.queue.add(task);
    }
  }

  private void deliver(Client c, Push push, Tally tally) {
    try {
      if (Permissions.allowed(c, push) && c.offer(push, tally)) {
        remove(c);
      }
    } catch (RuntimeException e) {
      LOG.warn("failed to notify client {} of message {}", c.id, push.message.globalId(), e);
    }
  }

  /** Closes every held poll (each answers {@code []}) and stops the fan-out threads. */
  void closeAll() {
    closed = true;
    List<Client> all;
    lock.lock();
    try {
      all = new ArrayList<>(clients.values());
    } finally {
      lock.unlock();
    }
    all.forEach(Client::close);
    if (lanes != null) {
      for (Lane lane : lanes) {
        lane.thread.interrupt();
      }
    }
  }

  int clientCount() {
    return clientCount;
  }

  @Nullable Client lookup(String clientId) {
    lock.lock();
    try {
      return clients.get(clientId);
    } finally {
      lock.unlock();
    }
  }

  /** The number of site entries in the index (for tests of pruning). */
  int indexedSites() {
    lock.lock();
    try {
      return bySite.size();
    } finally {
      lock.unlock();
    }
  }
}
