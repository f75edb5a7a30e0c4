package org.messagebus.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.messagebus.JsonTransportCodec;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.spi.ChannelNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The held polls of one endpoint, indexed by client id and by site and channel (SPEC §5.1).
 *
 * <p><b>Threads.</b> One lock guards both indexes; it is never held while a client is written to or
 * closed, so the lock order is always client, then manager. {@link #notify} runs on the bus
 * dispatch thread: it copies the target set under the lock, then offers the message to each client
 * outside it (a client's output is non-blocking, so a slow client costs nothing here).
 *
 * <p>Fixes over Ruby: a client is removed only if it is the registered instance (a rejected or
 * replaced poll cannot unregister its successor), and messages on {@code /global/} channels reach
 * held clients of every site.
 */
final class ConnectionManager {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionManager.class);

  private final MessageBus bus;
  private final ObjectMapper json;
  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private final Map<String, Client> clients = new HashMap<>();
  private final Map<String, Map<String, Set<Client>>> bySite = new HashMap<>();

  ConnectionManager(MessageBus bus) {
    this(
        bus,
        bus.codec() instanceof JsonTransportCodec codec
            ? codec.mapper()
            : JsonTransportCodec.defaultMapper());
  }

  ConnectionManager(MessageBus bus, ObjectMapper json) {
    this.bus = bus;
    this.json = json;
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
      clients.put(client.id, client);
      Map<String, Set<Client>> channels =
          bySite.computeIfAbsent(client.siteId, s -> new HashMap<>());
      for (String channel : client.subscriptions.keySet()) {
        channels.computeIfAbsent(channel, c -> new LinkedHashSet<>()).add(client);
      }
    } finally {
      lock.unlock();
    }
    if (replaced != null) {
      replaced.close();
    }
    return true;
  }

  /** Unregisters a poll if it is still the registered one for its client id. */
  void remove(Client client) {
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
    Map<String, Set<Client>> channels = bySite.get(client.siteId);
    if (channels == null) {
      return;
    }
    for (String channel : client.subscriptions.keySet()) {
      Set<Client> set = channels.get(channel);
      if (set != null) {
        set.remove(client);
        if (set.isEmpty()) {
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
    List<Client> targets = new ArrayList<>();
    lock.lock();
    try {
      if (ChannelNames.isGlobal(m.channel())) {
        for (Map<String, Set<Client>> channels : bySite.values()) {
          Set<Client> set = channels.get(m.channel());
          if (set != null) {
            targets.addAll(set);
          }
        }
      } else {
        Map<String, Set<Client>> channels = bySite.get(m.siteId());
        Set<Client> set = channels == null ? null : channels.get(m.channel());
        if (set != null) {
          targets.addAll(set);
        }
      }
    } finally {
      lock.unlock();
    }
    Push push = new Push(m, json, bus);
    for (Client c : targets) {
      try {
        if (Permissions.allowed(bus, c, m) && c.offer(push)) {
          remove(c);
        }
      } catch (RuntimeException e) {
        LOG.warn("failed to notify client {} of message {}", c.id, m.globalId(), e);
      }
    }
  }

  /** Closes every held poll (each answers {@code []}). */
  void closeAll() {
    List<Client> all;
    lock.lock();
    try {
      all = new ArrayList<>(clients.values());
    } finally {
      lock.unlock();
    }
    all.forEach(Client::close);
  }

  int clientCount() {
    lock.lock();
    try {
      return clients.size();
    } finally {
      lock.unlock();
    }
  }

  Client lookup(String clientId) {
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
