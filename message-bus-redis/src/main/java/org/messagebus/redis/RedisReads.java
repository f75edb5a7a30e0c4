// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.KeyValue;
import io.lettuce.core.Range;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.BackendMessage;

/**
 * The point reads and maintenance commands of a {@link RedisBackend} (SPEC §3.2.3, §3.2.5): last
 * ids, a channel's backlog, one message, and deleting keys by pattern. Thread-safe (stateless; the
 * command connection is shared).
 */
final class RedisReads {

  private final RedisConnections connections;

  RedisReads(RedisConnections connections) {
    this.connections = connections;
  }

  long lastId(String channel) {
    Objects.requireNonNull(channel, "channel");
    try {
      return connections.answered(parseId(connections.sync().get(RedisKeys.backlogIdKey(channel))));
    } catch (RuntimeException e) {
      throw connections.asBackendException("reading the last id of " + channel + " failed", e);
    }
  }

  long[] lastIds(List<String> channels) {
    if (channels.isEmpty()) {
      return new long[0];
    }
    String[] keys = new String[channels.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = RedisKeys.backlogIdKey(Objects.requireNonNull(channels.get(i), "channel"));
    }
    try {
      List<KeyValue<String, String>> values = connections.sync().mget(keys);
      long[] ids = new long[keys.length];
      for (int i = 0; i < ids.length; i++) {
        KeyValue<String, String> kv = values.get(i);
        ids[i] = kv.hasValue() ? parseId(kv.getValue()) : 0;
      }
      return connections.answered(ids);
    } catch (RuntimeException e) {
      throw connections.asBackendException("reading last ids failed", e);
    }
  }

  long lastGlobalId() {
    try {
      return connections.answered(parseId(connections.sync().get(RedisKeys.GLOBAL_ID_KEY)));
    } catch (RuntimeException e) {
      throw connections.asBackendException("reading the last global id failed", e);
    }
  }

  private static long parseId(String value) {
    return value == null ? 0 : Long.parseLong(value.trim());
  }

  List<BackendMessage> backlog(String channel, long lastId) {
    Objects.requireNonNull(channel, "channel");
    try {
      return connections.answered(
          GlobalBacklogReader.decodeAll(
              connections
                  .sync()
                  .zrangebyscore(
                      RedisKeys.backlogKey(channel),
                      Range.from(
                          Range.Boundary.including(lastId + 1), Range.Boundary.unbounded()))));
    } catch (RuntimeException e) {
      throw connections.asBackendException("reading the backlog of " + channel + " failed", e);
    }
  }

  @Nullable BackendMessage getMessage(String channel, long messageId) {
    Objects.requireNonNull(channel, "channel");
    try {
      List<String> found =
          connections
              .sync()
              .zrangebyscore(RedisKeys.backlogKey(channel), Range.create(messageId, messageId));
      BackendMessage m = found.isEmpty() ? null : BackendMessage.decode(found.get(0));
      connections.answered();
      return m;
    } catch (RuntimeException e) {
      throw connections.asBackendException(
          "reading message " + messageId + " of " + channel + " failed", e);
    }
  }

  /** Deletes every key matching a pattern (SCAN, not KEYS). */
  void deleteMatching(String pattern) {
    try {
      RedisCommands<String, String> redis = connections.sync();
      ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
      ScanCursor cursor = ScanCursor.INITIAL;
      do {
        var page = redis.scan(cursor, args);
        if (!page.getKeys().isEmpty()) {
          redis.del(page.getKeys().toArray(new String[0]));
        }
        cursor = page;
      } while (!cursor.isFinished());
      connections.answered();
    } catch (RuntimeException e) {
      throw connections.asBackendException("deleting " + pattern + " failed", e);
    }
  }
}
