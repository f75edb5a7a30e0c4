// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
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
 * polls. A poll's slot is one object that makes both changes (no lambda, flag or boxed count per
 * poll): at thousands of held polls behind one address this map is on every poll's path.
 */
final class HeldPollLimits {

  private static final Logger LOG = LoggerFactory.getLogger(HeldPollLimits.class);

  private final EngineOptions options;
  private final String retryAfter;
  // identity -> (client id -> held polls of that id: 1, or 2 while one replaces the other)
  private final ConcurrentHashMap<String, Map<String, Count>> held = new ConcurrentHashMap<>();
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
   * (call it when the poll completes; calls after the first do nothing).
   *
   * @throws BadRequestException 429 with {@code Retry-After} when the identity is at its cap
   */
  Runnable acquire(String identity, String clientId) {
    int cap = capOf(identity);
    Slot slot = new Slot(identity, clientId, cap);
    held.compute(identity, slot);
    if (slot.state != Slot.HELD) {
      refuse(identity, clientId, cap);
    }
    return slot;
  }

  private void refuse(String identity, String clientId, int cap) {
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

  /**
   * How many polls of one client id an identity holds: 1, or 2 while one replaces the other.
   * Guarded by the identity's entry in {@link #held} (every change is inside its {@code compute}).
   */
  private static final class Count {
    int n;
  }

  /**
   * One poll's slot, and the change of its identity's entry: the first {@code compute} takes the
   * slot (or refuses it), the next gives it back, any later one does nothing. One object per poll
   * and one lookup of the client id per change. Its fields are guarded, like the counts, by the
   * identity's entry in {@link #held}.
   */
  private final class Slot
      implements Runnable,
          java.util.function.BiFunction<String, Map<String, Count>, Map<String, Count>> {
    static final int NEW = 0;
    static final int HELD = 1;
    static final int DONE = 2; // refused, or given back

    private final String identity;
    private final String clientId;
    private final int cap;
    int state = NEW;
    private @Nullable Count count;

    Slot(String identity, String clientId, int cap) {
      this.identity = identity;
      this.clientId = clientId;
      this.cap = cap;
    }

    /** Gives the slot back. */
    @Override
    public void run() {
      held.computeIfPresent(identity, this);
    }

    @Override
    public @Nullable Map<String, Count> apply(String key, @Nullable Map<String, Count> ids) {
      if (state == NEW) {
        Map<String, Count> m = ids == null ? new HashMap<>() : ids;
        // Below the cap a new id is admitted; at the cap only an id the identity already holds.
        Count c = m.size() < cap ? m.computeIfAbsent(clientId, id -> new Count()) : m.get(clientId);
        if (c == null) {
          state = DONE;
        } else {
          c.n++;
          count = c;
          state = HELD;
        }
        return m.isEmpty() ? null : m;
      }
      if (state == HELD && ids != null) {
        state = DONE;
        Count c = Objects.requireNonNull(count);
        if (--c.n == 0) {
          ids.remove(clientId, c);
        }
        return ids.isEmpty() ? null : ids;
      }
      return ids;
    }
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
