// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.BackendMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the global backlog (SPEC §3.2.3): its entries are {@code messageId|channel} scored by
 * global id, so each entry is resolved to the channel message it points to. Ruby reads one message
 * per round trip; this sends one range read per channel, pipelined. Thread-safe (stateless).
 */
final class GlobalBacklogReader {

  /**
   * One entry of the global backlog.
   *
   * @param globalId its score
   * @param message the channel message it points to, or null when that was trimmed or expired
   */
  record GlobalEntry(long globalId, @Nullable BackendMessage message) {}

  private static final Logger LOG = LoggerFactory.getLogger(GlobalBacklogReader.class);

  private final RedisConnections connections;

  GlobalBacklogReader(RedisConnections connections) {
    this.connections = connections;
  }

  /** The messages after a global id, in order; entries whose message is gone are skipped. */
  List<BackendMessage> messages(long lastGlobalId) {
    List<BackendMessage> result = new ArrayList<>();
    for (GlobalEntry e : entries(lastGlobalId)) {
      if (e.message() != null) {
        result.add(e.message());
      }
    }
    return result;
  }

  /**
   * The entries after a global id, in order, each resolved to its message where it still exists.
   */
  List<GlobalEntry> entries(long lastGlobalId) {
    try {
      StatefulRedisConnection<String, String> c = connections.connection();
      List<ScoredValue<String>> entries =
          c.sync()
              .zrangebyscoreWithScores(
                  RedisKeys.GLOBAL_BACKLOG_KEY,
                  Range.from(
                      Range.Boundary.including(lastGlobalId + 1), Range.Boundary.unbounded()));
      if (entries.isEmpty()) {
        return connections.answered(List.of());
      }
      // Which message ids to fetch, per channel.
      Map<String, long[]> ranges = new HashMap<>();
      long[] gids = new long[entries.size()];
      long[] mids = new long[entries.size()];
      String[] channels = new String[entries.size()];
      for (int i = 0; i < gids.length; i++) {
        ScoredValue<String> sv = entries.get(i);
        String member = sv.getValue();
        int pipe = member.indexOf('|');
        gids[i] = (long) sv.getScore();
        mids[i] = pipe < 0 ? 0 : Long.parseLong(member.substring(0, pipe));
        channels[i] = pipe < 0 ? member : member.substring(pipe + 1);
        long mid = mids[i];
        ranges.merge(
            channels[i],
            new long[] {mid, mid},
            (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
      }
      Map<String, RedisFuture<List<String>>> futures = new HashMap<>();
      for (Map.Entry<String, long[]> r : ranges.entrySet()) {
        futures.put(
            r.getKey(),
            c.async()
                .zrangebyscore(
                    RedisKeys.backlogKey(r.getKey()),
                    Range.create(r.getValue()[0], r.getValue()[1])));
      }
      Map<String, Map<Long, BackendMessage>> byChannel = new HashMap<>();
      for (Map.Entry<String, RedisFuture<List<String>>> f : futures.entrySet()) {
        Map<Long, BackendMessage> messages = new HashMap<>();
        for (BackendMessage m : decodeAll(connections.await(f.getValue()))) {
          messages.put(m.messageId(), m);
        }
        byChannel.put(f.getKey(), messages);
      }
      List<GlobalEntry> result = new ArrayList<>(gids.length);
      for (int i = 0; i < gids.length; i++) {
        BackendMessage m = byChannel.getOrDefault(channels[i], Map.of()).get(mids[i]);
        // A channel that expired and restarted reuses message ids: only the same global id counts.
        result.add(new GlobalEntry(gids[i], m != null && m.globalId() == gids[i] ? m : null));
      }
      return connections.answered(result);
    } catch (RuntimeException e) {
      throw connections.asBackendException("reading the global backlog failed", e);
    }
  }

  /** Decodes stored messages, skipping (and logging) any that cannot be read. */
  static List<BackendMessage> decodeAll(List<String> encoded) {
    List<BackendMessage> result = new ArrayList<>(encoded.size());
    for (String s : encoded) {
      try {
        result.add(BackendMessage.decode(s));
      } catch (IllegalArgumentException e) {
        LOG.warn("skipping an unreadable backlog entry: {}", e.getMessage());
      }
    }
    return result;
  }
}
