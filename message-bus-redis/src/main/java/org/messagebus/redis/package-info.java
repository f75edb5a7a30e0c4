/**
 * The Redis backend ({@link org.messagebus.redis.RedisBackend}) on Lettuce, wire-compatible with
 * Ruby {@code message_bus}: the same keys, atomic publish, notification channel and payloads (SPEC
 * §3.2), catch-up after lost connections, and an in-memory publish queue while Redis refuses
 * writes.
 */
@NullMarked
package org.messagebus.redis;

import org.jspecify.annotations.NullMarked;
