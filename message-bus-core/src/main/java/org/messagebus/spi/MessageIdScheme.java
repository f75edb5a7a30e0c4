// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spi;

/**
 * How a backend numbers the messages of a channel (SPEC §1.2), for those who keep what the firehose
 * delivered and want to know, from the ids alone, whether they hold every message of a channel
 * after some id (the HTTP transport's recent-message window does).
 */
public enum MessageIdScheme {

  /**
   * Not known: a reader must not draw conclusions from the ids and asks the store instead. The
   * default of {@link Backend#messageIdScheme()}.
   */
  UNKNOWN,

  /**
   * Each channel has its own counter: its messages are numbered 1, 2, 3, … without holes, and the
   * counter restarts at 1 when the channel expires or the store is reset (Redis).
   */
  PER_CHANNEL,

  /**
   * A message's id is its global id: ids of one channel increase but have holes, and they restart
   * only when the whole store is reset, together with the global ids. The firehose delivers every
   * message of the store in ascending global id (memory, PostgreSQL).
   */
  GLOBAL
}
