// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import org.jspecify.annotations.Nullable;
import org.messagebus.BackendException;

/**
 * Thrown by {@link RedisBackend#publish} when Redis refuses writes (read-only, unreachable) and the
 * in-memory publish queue already holds {@link RedisBackend.Builder#maxInMemoryPublishBacklog
 * maxInMemoryPublishBacklog} messages: the message was not published and not queued. The cause, if
 * any, is Redis's refusal.
 */
public class PublishQueueFullException extends BackendException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was not published and why
   * @param cause Redis's refusal, may be null
   */
  public PublishQueueFullException(String message, @Nullable Throwable cause) {
    super(message);
    if (cause != null) {
      initCause(cause);
    }
  }
}
