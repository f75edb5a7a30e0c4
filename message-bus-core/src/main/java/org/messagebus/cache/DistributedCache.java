// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.cache;

import java.security.SecureRandom;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A map of string keys to values, one per process, kept approximately in sync with the caches of
 * the same name in other processes through the bus (SPEC §7). Reads are local; writes are published
 * first, then applied locally, so a write that cannot be published (with {@link
 * DistributedCacheManager.Builder#publishQueueInMemory(boolean) publishQueueInMemory(false)})
 * leaves the local value unchanged.
 *
 * <p>Values are JSON values: strings, numbers, booleans, null, lists and maps of them. Other
 * processes receive them decoded from JSON (integers as {@code Long}, maps as {@code Map<String,
 * Object>}), so store JSON-shaped values to read the same thing everywhere. A {@code null} value is
 * stored as an entry ({@link #containsKey} is true); {@link #remove} deletes.
 *
 * <p>Ruby processes send collections in Ruby's Marshal format, which Java cannot read: such an
 * entry is evicted locally instead (the next read finds nothing and recomputes). Java sends
 * collections as plain JSON, which Ruby stores with string keys.
 *
 * <p>A namespaced cache keeps one map per site: the site the bus's site lookup answers, else
 * {@value #DEFAULT_SITE}. {@link #forSite(String)} addresses another site explicitly. Instances are
 * thread-safe.
 */
public final class DistributedCache {

  /** The namespace used without a site, or for a cache that is not namespaced. */
  public static final String DEFAULT_SITE = "default";

  private static final Logger LOG = LoggerFactory.getLogger(DistributedCache.class);
  private static final Object NULL = new Object();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DistributedCacheManager manager;
  private final String name;
  private final boolean namespace;
  private final String identity;
  private final Map<String, Map<String, Object>> sites;
  private final @Nullable String fixedSite;

  DistributedCache(DistributedCacheManager manager, String name, boolean namespace) {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    this.manager = manager;
    this.name = name;
    this.namespace = namespace;
    this.identity = HexFormat.of().formatHex(random) + ProcessHandle.current().pid();
    this.sites = new ConcurrentHashMap<>();
    this.fixedSite = null;
  }

  private DistributedCache(DistributedCache parent, String site) {
    this.manager = parent.manager;
    this.name = parent.name;
    this.namespace = parent.namespace;
    this.identity = parent.identity;
    this.sites = parent.sites;
    this.fixedSite = site;
  }

  /**
   * Returns a view of this cache bound to one site, sharing its entries and identity. For a cache
   * that is not namespaced the view is the same map.
   *
   * @param siteId the site
   * @return the view
   * @throws IllegalArgumentException if the site is null or empty
   */
  public DistributedCache forSite(String siteId) {
    if (siteId == null || siteId.isEmpty()) {
      throw new IllegalArgumentException("siteId must not be null or empty");
    }
    return new DistributedCache(this, siteId);
  }

  /**
   * Returns the cache's name: caches of the same name in other processes share writes.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the value stored under a key, from local memory.
   *
   * @param key the key
   * @return the value, or null if absent (or stored as null)
   */
  public @Nullable Object get(String key) {
    Object v = entries(site()).get(requireKey(key));
    manager.bus().observer().cacheRead(v != null);
    return v == NULL ? null : v;
  }

  /**
   * Tells whether a key is present, including with a null value.
   *
   * @param key the key
   * @return true if present
   */
  public boolean containsKey(String key) {
    return entries(site()).containsKey(requireKey(key));
  }

  /**
   * Publishes a {@code set} and stores the value locally.
   *
   * @param key the key
   * @param value a JSON value (may be null)
   * @throws IllegalArgumentException if the key is null or the value cannot be encoded
   * @throws org.messagebus.BackendException if publishing failed and the manager does not queue
   */
  public void put(String key, Object value) {
    requireKey(key);
    String site = site();
    manager.publish("set", key, value, true, identity, name, publishSite(site));
    entries(site).put(key, value == null ? NULL : value);
  }

  /**
   * Publishes a {@code delete} and removes the key locally.
   *
   * @param key the key
   * @return the value removed, or null
   */
  public @Nullable Object remove(String key) {
    return remove(key, true);
  }

  /**
   * Removes a key locally and, if asked, in the other processes too.
   *
   * @param key the key
   * @param publish whether to publish the {@code delete}
   * @return the value removed, or null
   */
  public @Nullable Object remove(String key, boolean publish) {
    requireKey(key);
    String site = site();
    if (publish) {
      manager.publish("delete", key, null, false, identity, name, publishSite(site));
    }
    Object v = entries(site).remove(key);
    return v == NULL ? null : v;
  }

  /** Publishes a {@code clear} and empties this site's map locally. */
  public void clear() {
    String site = site();
    manager.publish("clear", null, null, false, identity, name, publishSite(site));
    entries(site).clear();
  }

  /**
   * Returns the number of entries of this site.
   *
   * @return the size
   */
  public int size() {
    return entries(site()).size();
  }

  /**
   * Returns a copy of this site's entries.
   *
   * @return an unmodifiable snapshot (null values included)
   */
  public Map<String, Object> snapshot() {
    Map<String, Object> copy = new HashMap<>();
    entries(site()).forEach((k, v) -> copy.put(k, v == NULL ? null : v));
    return Collections.unmodifiableMap(copy);
  }

  String identity() {
    return identity;
  }

  /** Applies another process's operation; called by the manager under its lock. */
  void apply(
      String op,
      @Nullable String key,
      @Nullable Object value,
      @Nullable Object marshalled,
      String messageSite) {

    Map<String, Object> entries = entries(namespace ? messageSite : DEFAULT_SITE);
    manager.bus().observer().cacheRemoteChange();
    switch (op) {
      case "set" -> {
        if (key == null) {
          return;
        }
        if (Boolean.TRUE.equals(marshalled)) {
          LOG.debug(
              "cache {}: evicting {} — its value is in Ruby's Marshal format, unreadable here",
              name,
              key);
          entries.remove(key);
        } else {
          entries.put(key, value == null ? NULL : value);
        }
      }
      case "delete" -> {
        if (key != null) {
          entries.remove(key);
        }
      }
      case "clear" -> entries.clear();
      default -> LOG.debug("cache {}: ignoring unknown operation {}", name, op);
    }
  }

  private String site() {
    if (!namespace) {
      return DEFAULT_SITE;
    }
    if (fixedSite != null) {
      return fixedSite;
    }
    String current = manager.bus().currentSiteId();
    return current == null ? DEFAULT_SITE : current;
  }

  /** The site to publish with, so that receivers apply the write to the same namespace. */
  private @Nullable String publishSite(String site) {
    if (!namespace) {
      return null;
    }
    return DEFAULT_SITE.equals(site) && fixedSite == null ? null : site;
  }

  private Map<String, Object> entries(String site) {
    return sites.computeIfAbsent(site, s -> new ConcurrentHashMap<>());
  }

  private static String requireKey(String key) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    return key;
  }
}
