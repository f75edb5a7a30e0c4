// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.Retention;

/**
 * The statements of a {@link PostgresBackend} on a connection it is given (SPEC §3.3.2, §3.3.3):
 * the one-statement publish (insert, trim, notify) and the reads. Knows nothing of where the
 * connection comes from or of the connection state. Thread-safe (stateless).
 */
final class PgQueries {

  final Sql sql;
  private final Retention retention;
  private final String notificationChannel;
  private final String trimLockName;

  PgQueries(Sql sql, Retention retention, String notificationChannel) {
    this.sql = sql;
    this.retention = retention;
    this.notificationChannel = notificationChannel;
    this.trimLockName = "message_bus trim:" + sql.table;
  }

  /** Checks a publish before any statement runs. */
  static void checkPublish(String channel, String payload, BackendPublishOptions options) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(options, "options");
    if (payload.getBytes(StandardCharsets.UTF_8).length < 2) {
      throw new IllegalArgumentException(
          "payload must be at least 2 bytes (message_bus table check constraint): \""
              + payload
              + "\"");
    }
  }

  /** Inserts, trims and announces one message; returns its id. */
  long publish(Connection c, String channel, String payload, BackendPublishOptions options)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.publish)) {
      ps.setString(1, channel);
      ps.setString(2, payload);
      ps.setString(3, BackendMessage.escapeChannel(channel));
      ps.setInt(4, retention.clearEvery());
      ps.setString(5, trimLockName);
      ps.setInt(6, retention.maxGlobalBacklogSize());
      ps.setString(7, seconds(options.effectiveMaxBacklogAge(retention)));
      ps.setString(8, channel);
      ps.setString(9, channel);
      ps.setInt(10, options.effectiveMaxBacklogSize(retention) - 1);
      ps.setString(11, notificationChannel);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Inserts, trims and announces a group of messages in one statement (one round trip; in
   * autocommit one transaction of its own, else the caller's): if one fails, none is stored. Ids
   * and announcements follow the order of the arrays.
   *
   * @param trim for each message, whether it trims (false when a later message of the group trims
   *     its channel with the same limits)
   * @param newer for each message, how many messages of the group up to and including it share its
   *     channel; for a message that trims at most its effective max backlog size
   * @param floor the trim floor: no row with an id up to it exists or can appear (0: none known)
   * @return the ids, in the order of the arrays, and the highest id that trimmed
   */
  GroupResult publishGroup(
      Connection c,
      String[] channels,
      String[] payloads,
      BackendPublishOptions[] options,
      boolean[] trim,
      int[] newer,
      long floor)
      throws SQLException {
    int n = channels.length;
    String[] escaped = new String[n];
    Boolean[] trims = new Boolean[n];
    Integer[] keep = new Integer[n];
    String[] ages = new String[n];
    for (int i = 0; i < n; i++) {
      escaped[i] = BackendMessage.escapeChannel(channels[i]);
      trims[i] = trim[i];
      keep[i] = Math.max(0, options[i].effectiveMaxBacklogSize(retention) - newer[i]);
      ages[i] = seconds(options[i].effectiveMaxBacklogAge(retention));
    }
    long[] ids = new long[n];
    long trimmedAt = 0;
    List<Array> arrays = new ArrayList<>(6);
    try (PreparedStatement ps = c.prepareStatement(sql.publishGroup)) {
      arrays.add(c.createArrayOf("text", channels));
      arrays.add(c.createArrayOf("text", payloads));
      arrays.add(c.createArrayOf("text", escaped));
      arrays.add(c.createArrayOf("bool", trims));
      arrays.add(c.createArrayOf("int4", keep));
      arrays.add(c.createArrayOf("text", ages));
      for (int i = 0; i < arrays.size(); i++) {
        ps.setArray(i + 1, arrays.get(i));
      }
      ps.setInt(7, retention.clearEvery());
      ps.setString(8, trimLockName);
      ps.setLong(9, floor);
      ps.setInt(10, retention.maxGlobalBacklogSize());
      ps.setString(11, notificationChannel);
      int rows = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids[rs.getInt(2) - 1] = rs.getLong(1);
          trimmedAt = rs.getLong(4); // 0 for null: the group did not trim
          rows++;
        }
      }
      if (rows != n) {
        throw new SQLException("publish of " + n + " messages returned " + rows + " rows");
      }
    } finally {
      for (Array a : arrays) {
        a.free();
      }
    }
    return new GroupResult(ids, trimmedAt);
  }

  /** What a group publish wrote. */
  static final class GroupResult {
    private final long[] ids;
    private final long trimmedAt;

    GroupResult(long[] ids, long trimmedAt) {
      this.ids = ids;
      this.trimmedAt = trimmedAt;
    }

    /** The ids, in the order of the arrays. */
    long[] ids() {
      return ids;
    }

    /**
     * The highest id of the group that trimmed (its global rule deleted every row up to {@code
     * trimmedAt - maxGlobalBacklogSize} that the statement saw), 0 if none did.
     */
    long trimmedAt() {
      return trimmedAt;
    }
  }

  /** The global backlog size the trims keep. */
  int maxGlobalBacklogSize() {
    return retention.maxGlobalBacklogSize();
  }

  /**
   * True if a trim after {@code b} leaves what a trim after {@code a} and one after {@code b} do.
   */
  boolean sameTrim(
      String channelA, BackendPublishOptions a, String channelB, BackendPublishOptions b) {
    return channelA.equals(channelB)
        && a.effectiveMaxBacklogAge(retention).equals(b.effectiveMaxBacklogAge(retention))
        && a.effectiveMaxBacklogSize(retention) == b.effectiveMaxBacklogSize(retention);
  }

  /** The channel limit a publish with these options trims to. */
  int maxBacklogSize(BackendPublishOptions options) {
    return options.effectiveMaxBacklogSize(retention);
  }

  private static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
  }

  long lastId(Connection c, String channel, long horizon) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.maxChannelId)) {
      ps.setString(1, channel);
      ps.setLong(2, horizon);
      return singleLong(ps);
    }
  }

  /** The newest id of each channel that has one. */
  Map<String, Long> lastIds(Connection c, List<String> channels, long horizon) throws SQLException {
    Map<String, Long> map = new HashMap<>();
    Array array = c.createArrayOf("text", channels.toArray());
    try (PreparedStatement ps = c.prepareStatement(sql.maxChannelIds)) {
      ps.setArray(1, array);
      ps.setLong(2, horizon);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          map.put(rs.getString(1), rs.getLong(2));
        }
      }
    } finally {
      array.free();
    }
    return map;
  }

  long maxId(Connection c, long horizon) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.maxId)) {
      ps.setLong(1, horizon);
      return singleLong(ps);
    }
  }

  private static long singleLong(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  List<BackendMessage> backlog(Connection c, String channel, long lastId, long horizon)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.channelBacklog)) {
      ps.setString(1, channel);
      ps.setLong(2, lastId);
      ps.setLong(3, horizon);
      List<BackendMessage> result = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          result.add(new BackendMessage(id, id, channel, rs.getString(2)));
        }
      }
      return result;
    }
  }

  /** The rows after {@code lastGlobalId} up to {@code horizon}, in id order. */
  List<BackendMessage> globalBacklog(Connection c, long lastGlobalId, long horizon)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.globalBacklog)) {
      ps.setLong(1, lastGlobalId);
      ps.setLong(2, horizon);
      return rows(ps);
    }
  }

  /** Reads {@code id, channel, value} rows. */
  private static List<BackendMessage> rows(PreparedStatement ps) throws SQLException {
    List<BackendMessage> result = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long id = rs.getLong(1);
        result.add(new BackendMessage(id, id, rs.getString(2), rs.getString(3)));
      }
    }
    return result;
  }

  @Nullable BackendMessage getMessage(Connection c, String channel, long messageId)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.getMessage)) {
      ps.setString(1, channel);
      ps.setLong(2, messageId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new BackendMessage(messageId, messageId, channel, rs.getString(1))
            : null;
      }
    }
  }

  /** Reads one row by id, or null when it is gone. */
  @Nullable BackendMessage byId(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.getById)) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new BackendMessage(id, id, rs.getString(1), rs.getString(2)) : null;
      }
    }
  }
}
