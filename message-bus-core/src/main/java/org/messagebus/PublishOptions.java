// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.BackendPublishOptions;

/**
 * How one message is published: who may receive it, for which site, and per-message retention
 * overrides. Immutable; build with {@link #builder()} or use {@link #NONE}.
 *
 * <p>Targeting (SPEC §5.3): a web client receives a targeted message when its user is in {@link
 * #userIds()} or one of its groups is in {@link #groupIds()}, and, if {@link #clientIds()} is set,
 * its client id is in it. Ids keep their JSON type: the user id {@code 1} and the user id {@code
 * "1"} are different. Server-side subscribers receive every message.
 */
public final class PublishOptions {

  /** No targeting, no site override, no retention override. */
  public static final PublishOptions NONE = builder().build();

  private final @Nullable List<Object> userIds;
  private final @Nullable List<Object> groupIds;
  private final @Nullable List<Object> clientIds;
  private final @Nullable String siteId;
  private final @Nullable Duration maxBacklogAge;
  private final @Nullable Integer maxBacklogSize;
  private final @Nullable Boolean queueInMemory;

  private PublishOptions(Builder b) {
    this.userIds = b.userIds;
    this.groupIds = b.groupIds;
    this.clientIds = b.clientIds;
    this.siteId = b.siteId;
    this.maxBacklogAge = b.maxBacklogAge;
    this.maxBacklogSize = b.maxBacklogSize;
    this.queueInMemory = b.queueInMemory;
  }

  /**
   * Starts a builder with nothing set.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the users allowed to receive the message.
   *
   * @return the ids, or null for no user restriction
   */
  public @Nullable List<Object> userIds() {
    return userIds;
  }

  /**
   * Returns the groups allowed to receive the message.
   *
   * @return the ids, or null for no group restriction
   */
  public @Nullable List<Object> groupIds() {
    return groupIds;
  }

  /**
   * Returns the web clients allowed to receive the message.
   *
   * @return the ids, or null for no client restriction
   */
  public @Nullable List<Object> clientIds() {
    return clientIds;
  }

  /**
   * Returns the site to publish for, overriding the bus's site lookup.
   *
   * @return the site id, or null to use the lookup
   */
  public @Nullable String siteId() {
    return siteId;
  }

  /**
   * Returns the retention-by-inactivity override for the channel.
   *
   * @return the age, or null for the backend's
   */
  public @Nullable Duration maxBacklogAge() {
    return maxBacklogAge;
  }

  /**
   * Returns the backlog size override for the channel.
   *
   * @return the size, or null for the backend's
   */
  public @Nullable Integer maxBacklogSize() {
    return maxBacklogSize;
  }

  /**
   * Returns whether a backend that refuses writes for now (read-only Redis) may queue the message
   * in memory.
   *
   * @return the choice, or null for the backend's default (queue)
   */
  public @Nullable Boolean queueInMemory() {
    return queueInMemory;
  }

  BackendPublishOptions toBackendOptions() {
    if (maxBacklogAge == null && maxBacklogSize == null && queueInMemory == null) {
      return BackendPublishOptions.NONE;
    }
    // Both retention overrides are forwarded (Ruby drops the size when an age is given: SPEC §2.2
    // step 6, BUG).
    return new BackendPublishOptions(maxBacklogAge, maxBacklogSize, queueInMemory);
  }

  /** Builds {@link PublishOptions}. Each setter rejects bad values at once. Not thread-safe. */
  public static final class Builder {
    private @Nullable List<Object> userIds;
    private @Nullable List<Object> groupIds;
    private @Nullable List<Object> clientIds;
    private @Nullable String siteId;
    private @Nullable Duration maxBacklogAge;
    private @Nullable Integer maxBacklogSize;
    private @Nullable Boolean queueInMemory;

    private Builder() {}

    /**
     * Restricts delivery to web clients of these users. Default: no restriction.
     *
     * @param ids user ids: numbers or strings, at least one
     * @return this builder
     * @throws InvalidMessageTargetException if {@code ids} is empty
     * @throws IllegalArgumentException if an id is null or not a number or string
     */
    public Builder userIds(Collection<?> ids) {
      this.userIds = targetList("userIds", ids);
      return this;
    }

    /**
     * Varargs form of {@link #userIds(Collection)}.
     *
     * @param ids user ids
     * @return this builder
     */
    public Builder userIds(Object... ids) {
      return userIds(Arrays.asList(ids));
    }

    /**
     * Restricts delivery to web clients in these groups. Default: no restriction.
     *
     * @param ids group ids: numbers or strings, at least one
     * @return this builder
     * @throws InvalidMessageTargetException if {@code ids} is empty
     * @throws IllegalArgumentException if an id is null or not a number or string
     */
    public Builder groupIds(Collection<?> ids) {
      this.groupIds = targetList("groupIds", ids);
      return this;
    }

    /**
     * Varargs form of {@link #groupIds(Collection)}.
     *
     * @param ids group ids
     * @return this builder
     */
    public Builder groupIds(Object... ids) {
      return groupIds(Arrays.asList(ids));
    }

    /**
     * Restricts delivery to these web clients (the id in the poll URL). Default: no restriction.
     *
     * @param ids client ids, at least one
     * @return this builder
     * @throws InvalidMessageTargetException if {@code ids} is empty
     * @throws IllegalArgumentException if an id is null or not a number or string
     */
    public Builder clientIds(Collection<?> ids) {
      this.clientIds = targetList("clientIds", ids);
      return this;
    }

    /**
     * Varargs form of {@link #clientIds(Collection)}.
     *
     * @param ids client ids
     * @return this builder
     */
    public Builder clientIds(Object... ids) {
      return clientIds(Arrays.asList(ids));
    }

    /**
     * Publishes for this site instead of the one the bus's site lookup returns. Default: the
     * lookup's site.
     *
     * @param siteId the site, or null for the lookup's
     * @return this builder
     * @throws IllegalArgumentException if {@code siteId} contains {@code $|$}
     */
    public Builder siteId(@Nullable String siteId) {
      if (siteId != null && siteId.contains("$|$")) {
        throw new IllegalArgumentException("siteId must not contain $|$: " + siteId);
      }
      this.siteId = siteId;
      return this;
    }

    /**
     * Overrides how long the channel is kept without a publish. Default: the backend's.
     *
     * @param age positive, or null for the backend's
     * @return this builder
     * @throws IllegalArgumentException if {@code age} is zero or negative
     */
    public Builder maxBacklogAge(@Nullable Duration age) {
      if (age != null && (age.isNegative() || age.isZero())) {
        throw new IllegalArgumentException("maxBacklogAge must be positive: " + age);
      }
      this.maxBacklogAge = age;
      return this;
    }

    /**
     * Overrides how many messages the channel keeps. Default: the backend's.
     *
     * @param size at least 1, or null for the backend's
     * @return this builder
     * @throws IllegalArgumentException if {@code size < 1}
     */
    public Builder maxBacklogSize(@Nullable Integer size) {
      if (size != null && size < 1) {
        throw new IllegalArgumentException("maxBacklogSize must be at least 1: " + size);
      }
      this.maxBacklogSize = size;
      return this;
    }

    /**
     * Chooses whether a backend that refuses writes for now may queue the message in memory instead
     * of failing. Default: null, the backend's choice (Redis queues).
     *
     * @param queue the choice, or null
     * @return this builder
     */
    public Builder queueInMemory(@Nullable Boolean queue) {
      this.queueInMemory = queue;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the immutable options
     */
    public PublishOptions build() {
      return new PublishOptions(this);
    }

    private static @Nullable List<Object> targetList(String name, @Nullable Collection<?> ids) {

      if (ids == null) {
        return null;
      }
      if (ids.isEmpty()) {
        throw new InvalidMessageTargetException(
            name + " must not be empty (pass null for no restriction)");
      }
      List<Object> copy = new ArrayList<>(ids.size());
      for (Object id : ids) {
        copy.add(normalizeId(name, id));
      }
      return Collections.unmodifiableList(copy);
    }

    /** Integers of any boxing compare equal after a JSON round trip, so store them as Long. */
    private static Object normalizeId(String name, Object id) {
      Objects.requireNonNull(id, () -> name + " must not contain null");
      if (id instanceof Integer
          || id instanceof Long
          || id instanceof Short
          || id instanceof Byte) {
        return ((Number) id).longValue();
      }
      if (id instanceof String || id instanceof Number) {
        return id;
      }
      throw new IllegalArgumentException(
          name + " must hold numbers or strings, not " + id.getClass().getName());
    }
  }
}
