package org.messagebus.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code message-bus.redis.*}: the Redis backend ({@code message-bus-redis}, {@code
 * message-bus.backend=redis}).
 *
 * @param url The Redis URI: redis://, rediss:// (TLS) or redis-sentinel://.
 * @param maxInMemoryPublishBacklog How many publishes wait in memory while Redis is down or
 *     read-only, at most.
 * @param commandTimeout How long a Redis command may take.
 */
public record RedisBackendProperties(
    @DefaultValue("redis://127.0.0.1:6379/0") String url,
    @DefaultValue("1000") int maxInMemoryPublishBacklog,
    @DefaultValue("5s") Duration commandTimeout) {}
