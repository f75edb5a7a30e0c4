// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.Retention;

/**
 * The frozen options of one {@link RedisBackend}, as {@link RedisBackend.Builder} validated them.
 *
 * @param uri the Redis URI, or null to use a supplied client's own
 * @param client the application's client, or null to create one
 * @param retention the backlog limits
 * @param maxInMemoryPublishBacklog the bound of the in-memory publish queue
 * @param queueInMemory whether a refused publish is queued when the publish does not say
 * @param commandTimeout how long a command may take
 * @param retryInterval the pause between attempts while Redis is unreachable or read-only
 * @param notificationChannel the configured notification channel, or null for the default
 */
record RedisOptions(
    @Nullable RedisURI uri,
    @Nullable RedisClient client,
    Retention retention,
    int maxInMemoryPublishBacklog,
    boolean queueInMemory,
    Duration commandTimeout,
    Duration retryInterval,
    @Nullable String notificationChannel) {

  RedisOptions {
    if (uri == null && client == null) {
      uri = RedisURI.create(RedisBackend.DEFAULT_URI);
    }
  }
}
