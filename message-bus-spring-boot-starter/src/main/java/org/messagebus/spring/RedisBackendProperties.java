// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code message-bus.redis.*}: the Redis backend ({@code message-bus-redis}, {@code
 * message-bus.backend=redis}).
 *
 * @param url The Redis URI: redis://, rediss:// (TLS) or redis-sentinel://. Unset: the
 *     application's Spring Data Redis connection (spring.data.redis.*) when spring-boot-data-redis
 *     is present, else redis://127.0.0.1:6379/0.
 * @param maxInMemoryPublishBacklog How many publishes wait in memory while Redis is down or
 *     read-only, at most.
 * @param commandTimeout How long a Redis command may take; also bounds connecting (Lettuce's
 *     handshake) unless the url sets timeout=.
 * @param retryInterval How long to wait between attempts while Redis is unreachable or read-only
 *     (subscriptions, the publish queue, and the longest reconnect delay).
 * @param queueInMemory Whether a publish Redis refuses (read-only, unreachable) is queued in memory
 *     when the publish itself does not say; false makes such a publish fail.
 * @param notificationChannel The Redis pub/sub channel of notifications. Unset:
 *     _message_bus_&lt;database&gt; (Ruby's with db:); set _message_bus_0 to share a non-zero
 *     database with a Ruby process configured with only a url.
 */
public record RedisBackendProperties(
    String url,
    @DefaultValue("1000") int maxInMemoryPublishBacklog,
    @DefaultValue("5s") Duration commandTimeout,
    @DefaultValue("1s") Duration retryInterval,
    @DefaultValue("true") boolean queueInMemory,
    String notificationChannel) {}
