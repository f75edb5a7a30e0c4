// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

/**
 * The Redis keys and notification channel of SPEC §3.2, shared with Ruby {@code message_bus}: one
 * global id counter and global backlog, and per channel an id counter and a backlog (a sorted set
 * scored by message id). Changing a name breaks interoperability.
 */
final class RedisKeys {

  static final String GLOBAL_ID_KEY = "__mb_global_id_n";
  static final String GLOBAL_BACKLOG_KEY = "__mb_global_backlog_n";
  static final String BACKLOG_ID_KEY_PREFIX = "__mb_backlog_id_n_";
  static final String BACKLOG_KEY_PREFIX = "__mb_backlog_n_";

  /** Every key of the bus (for {@code SCAN MATCH}). */
  static final String ALL_KEYS = "__mb_*";

  /** The announcement with which Ruby asks every listener to stop; never a message (§3.2.6). */
  static final String UNSUBSCRIBE_TOKEN = "$$UNSUBSCRIBE";

  private RedisKeys() {}

  /** The id counter of a channel. */
  static String backlogIdKey(String channel) {
    return BACKLOG_ID_KEY_PREFIX + channel;
  }

  /** The backlog (sorted set) of a channel. */
  static String backlogKey(String channel) {
    return BACKLOG_KEY_PREFIX + channel;
  }
}
