// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-identity caps on held polls, so one client cannot take every {@code maxActiveClients} slot.
 * The identity is the signed-in user (the user id lookup) or else the client address ({@link
 * ClientAddress}); never anything the client chooses freely (its client id, headers from an
 * untrusted peer). An identity holds at most its cap of distinct client ids; a new poll of a client
 * id it already holds replaces that poll (the connection manager answers the old one), so it is
 * always admitted and counts once.
 *
 * <p><b>Threads.</b> {@link #acquire} runs on request threads, the release on whichever thread
 * completes the poll. Each identity's entry is changed atomically ({@link
 * ConcurrentHashMap#compute}) and removed once empty, so the map holds only identities with held
 * polls.
 */
final class HeldPollLimits {

  private static final Logger LOG = LoggerFactory.getLogger(HeldPollLimits.class);

  private final EngineOptions options;
  private final String retryAfter;
  // identity -> (client id -> held polls of that id: 1, or 2 while one replaces the other)
  private final ConcurrentHashMap<String, Map<String, Integer>> held = new ConcurrentHashMap<>();
  private final AtomicBoolean toldOperator = new AtomicBoolean();

  HeldPollLimits(EngineOptions options) {
    this.options = options;
    this.retryAfter = Long.toString(options.heldPollsRetryAfter().toSeconds());
  }

  /** The identity of a poll: {@code user:<id>} when signed in, else {@code address:<key>}. */
  String identityOf(HttpRequestView req, @Nullable Object userId) {
    if (userId != null) {
      return "user:" + userId;
    }
    return "address:" + ClientAddress.key(req, options.trustedProxyRanges());
  }

  private int capOf(String identity) {
    return identity.startsWith("user:")
        ? options.maxHeldPollsPerUser()
        : options.maxHeldPollsPerAddress();
  }

  /**
   * Takes a held-poll slot of the identity for the client id; the returned action gives it back
   * (call it exactly once, when the poll completes).
   *
   * @throws BadRequestException 429 with {@code Retry-After} when the identity is at its cap
   */
  Runnable acquire(String identity, String clientId) {
    int cap = capOf(identity);
    boolean[] admitted = new boolean[1];
    held.compute(
        identity,
        (k, ids) -> {
          Map<String, Integer> m = ids == null ? new HashMap<>() : ids;
          if (m.containsKey(clientId) || m.size() < cap) {
            m.merge(clientId, 1, Integer::sum);
            admitted[0] = true;
          }
          return m.isEmpty() ? null : m;
        });
    if (!admitted[0]) {
      boolean user = identity.startsWith("user:");
      if (toldOperator.compareAndSet(false, true)) {
        LOG.info(
            "a poll was refused (429): {} has {} held polls already; {} (logged once)",
            identity,
            cap,
            user
                ? "raise maxHeldPollsPerUser if your users need more"
                : "if many users share one address, raise maxHeldPollsPerAddress or list your"
                    + " reverse proxies in trustedProxies");
      } else {
        LOG.debug("poll of client {} refused: {} has {} held polls", clientId, identity, cap);
      }
      throw new BadRequestException(
          429,
          "too many held polls for this " + (user ? "user" : "address") + ": at most " + cap,
          Map.of("Retry-After", retryAfter));
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        held.computeIfPresent(
            identity,
            (k, ids) -> {
              ids.computeIfPresent(clientId, (id, n) -> n > 1 ? n - 1 : null);
              return ids.isEmpty() ? null : ids;
            });
      }
    };
  }

  /** The number of distinct client ids the identity holds (for tests). */
  int heldBy(String identity) {
    int[] n = new int[1];
    held.computeIfPresent(
        identity,
        (k, ids) -> {
          n[0] = ids.size();
          return ids;
        });
    return n[0];
  }
}
