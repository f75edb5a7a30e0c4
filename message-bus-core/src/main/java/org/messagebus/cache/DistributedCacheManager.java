// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.cache;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link DistributedCache}s of one process in sync with those of other processes (Java or
 * Ruby {@code message_bus}) through the channel {@value #CHANNEL} of a bus (SPEC §7).
 *
 * <p>The manager subscribes once, lazily, when its first cache is created, for every site. It holds
 * its caches weakly: a cache the application no longer references stops receiving. Writes are
 * published with {@code user_ids: [-1]}, so web clients never see them.
 *
 * <pre>{@code
 * DistributedCacheManager caches = DistributedCacheManager.builder(bus).appVersion("1.2").build();
 * DistributedCache prices = caches.cache("prices");
 * prices.put("apple", 3);          // published, then stored locally
 * Object p = prices.get("apple");  // local read, no network
 * }</pre>
 *
 * <p>Consistency is best effort, as in Ruby: no versioning, the last message wins, and a cache
 * created late starts empty.
 */
public final class DistributedCacheManager implements AutoCloseable {

  /** The channel cache operations travel on. */
  public static final String CHANNEL = "/distributed_hash";

  private static final Logger LOG = LoggerFactory.getLogger(DistributedCacheManager.class);

  private final MessageBus bus;
  private final @Nullable String appVersion;
  private final boolean publishQueueInMemory;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<WeakReference<DistributedCache>> caches = new ArrayList<>();
  private @Nullable Subscription subscription;
  private boolean closed;

  private DistributedCacheManager(Builder b) {
    this.bus = b.bus;
    this.appVersion = b.appVersion;
    this.publishQueueInMemory = b.publishQueueInMemory;
  }

  /**
   * Starts a builder for a manager on a bus.
   *
   * @param bus the bus the caches synchronise through
   * @return a builder holding the defaults (no app version, publishes queued in memory)
   */
  public static Builder builder(MessageBus bus) {
    return new Builder(bus);
  }

  /**
   * Creates a cache namespaced by site (the bus's site lookup, else {@code "default"}).
   *
   * @param name the cache's name, shared by the caches of other processes that it syncs with
   * @return a new, empty cache
   * @throws IllegalArgumentException if the name is null or empty
   * @throws IllegalStateException if the manager was closed
   */
  public DistributedCache cache(String name) {
    return cache(name, true);
  }

  /**
   * Creates a cache.
   *
   * @param name the cache's name, shared by the caches of other processes that it syncs with
   * @param namespace true to keep one map per site (the bus's site lookup, else {@code "default"}),
   *     false for one map whatever the site
   * @return a new, empty cache
   * @throws IllegalArgumentException if the name is null or empty
   * @throws IllegalStateException if the manager was closed
   */
  public DistributedCache cache(String name, boolean namespace) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("name must not be null or empty");
    }
    DistributedCache cache = new DistributedCache(this, name, namespace);
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the cache manager was closed");
      }
      caches.add(new WeakReference<>(cache));
      if (subscription == null) {
        subscription = bus.subscribe(CHANNEL, this::receive);
      }
    } finally {
      lock.unlock();
    }
    return cache;
  }

  /**
   * Returns the application version that scopes this manager's caches.
   *
   * @return the version, or null when caches of every version share writes
   */
  public @Nullable String appVersion() {
    return appVersion;
  }

  /**
   * Returns whether writes are queued in memory while the backend cannot store them.
   *
   * @return true (the default) to queue; false to fail the write instead
   */
  public boolean publishQueueInMemory() {
    return publishQueueInMemory;
  }

  MessageBus bus() {
    return bus;
  }

  /** Stops receiving other processes' writes. Idempotent; the caches keep their entries. */
  @Override
  public void close() {
    Subscription s;
    lock.lock();
    try {
      closed = true;
      s = subscription;
      subscription = null;
      caches.clear();
    } finally {
      lock.unlock();
    }
    if (s != null) {
      s.unsubscribe();
    }
  }

  /** Publishes one operation with the keys in the order of SPEC §7.3. */
  void publish(
      String op,
      @Nullable String key,
      @Nullable Object value,
      boolean withValue,
      String origin,
      String cacheName,
      @Nullable String site) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("op", op);
    if (key != null) {
      data.put("key", key);
    }
    if (withValue) {
      data.put("value", value);
      data.put("marshalled", false);
    }
    data.put("origin", origin);
    data.put("hash_key", cacheName);
    if (appVersion != null) {
      data.put("app_version", appVersion);
    }
    // user id -1: never visible to web clients
    PublishOptions.Builder options =
        PublishOptions.builder().userIds(-1).queueInMemory(publishQueueInMemory);
    if (site != null) {
      options.siteId(site);
    }
    bus.publish(CHANNEL, data, options.build());
  }

  private void receive(Message message) {
    if (!(message.data() instanceof Map<?, ?> data)) {
      LOG.debug("ignoring a {} message whose data is not an object", CHANNEL);
      return;
    }
    String op = string(data.get("op"));
    @Nullable String origin = string(data.get("origin"));
    String cacheName = string(data.get("hash_key"));
    if (op == null || cacheName == null) {
      LOG.debug("ignoring a {} message without op or hash_key", CHANNEL);
      return;
    }
    String site = message.siteId() == null ? DistributedCache.DEFAULT_SITE : message.siteId();
    lock.lock();
    try {
      if (appVersion != null && !appVersion.equals(data.get("app_version"))) {
        return;
      }
      Iterator<WeakReference<DistributedCache>> it = caches.iterator();
      while (it.hasNext()) {
        DistributedCache cache = it.next().get();
        if (cache == null) {
          it.remove();
        } else if (cache.name().equals(cacheName) && !cache.identity().equals(origin)) {
          cache.apply(op, string(data.get("key")), data.get("value"), data.get("marshalled"), site);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static @Nullable String string(@Nullable Object o) {
    return o instanceof String s ? s : null;
  }

  /** Options of a {@link DistributedCacheManager}. */
  public static final class Builder {
    private final MessageBus bus;
    private @Nullable String appVersion;

    private boolean publishQueueInMemory = true;

    private Builder(MessageBus bus) {
      this.bus = Objects.requireNonNull(bus, "bus");
    }

    /**
     * Scopes the caches to an application version: writes from processes with another version (or
     * none) are ignored. Default: none, every write applies.
     *
     * @param appVersion the version, or null for none
     * @return this builder
     * @throws IllegalArgumentException if the version is empty
     */
    public Builder appVersion(String appVersion) {
      if (appVersion != null && appVersion.isEmpty()) {
        throw new IllegalArgumentException("appVersion must not be empty (use null for none)");
      }
      this.appVersion = appVersion;
      return this;
    }

    /**
     * Whether a write the backend cannot store now is queued in memory and sent later (true, the
     * default) or fails with the backend's exception, leaving the local value unchanged (false).
     *
     * @param queue whether to queue
     * @return this builder
     */
    public Builder publishQueueInMemory(boolean queue) {
      this.publishQueueInMemory = queue;
      return this;
    }

    /**
     * Builds the manager. It subscribes when its first cache is created.
     *
     * @return the manager
     */
    public DistributedCacheManager build() {
      return new DistributedCacheManager(this);
    }
  }
}
