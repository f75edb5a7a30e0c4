// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code message-bus.cache.*}: the {@link org.messagebus.cache.DistributedCacheManager}.
 *
 * @param enabled Whether to create the DistributedCacheManager bean.
 * @param appVersion Scopes the caches to an application version: writes from processes with another
 *     version (or none) are ignored. Unset: every write applies.
 * @param publishQueueInMemory Whether a write the backend cannot store now is queued in memory and
 *     sent later.
 */
public record CacheManagerProperties(
    @DefaultValue("true") boolean enabled,
    String appVersion,
    @DefaultValue("true") boolean publishQueueInMemory) {}
