// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import org.jspecify.annotations.Nullable;

/**
 * The SQL of SPEC §3.3 for one table name. Table, column and index names and the trimming semantics
 * are those of Ruby {@code message_bus}, so processes of both share one table.
 *
 * <p>Publishing inserts the row, trims and calls {@code pg_notify} in one statement (one round
 * trip, one commit, atomic: a failed notify stores nothing). The announcement is the stored form
 * {@code id|id|escaped channel|payload}; when that reaches PostgreSQL's 8,000-byte NOTIFY limit it
 * is announced without its payload ({@code id|id|escaped channel|}, see {@link #isIdOnly}), and
 * subscribers read the row. A stored value is never empty (check constraint), so the empty payload
 * is unambiguous.
 */
final class Sql {

  /** PostgreSQL rejects a NOTIFY payload of this many bytes or more. */
  static final int NOTIFY_LIMIT_BYTES = 8000;

  /** How many ids after the settled horizon one scan reads. */
  static final int HORIZON_SCAN_LIMIT = 10_000;

  final String table;
  final String createTable;
  final String createChannelIndex;
  final String createAddedAtIndex;
  final String tableExists;
  final String dropTable;
  final String publish;
  final String publishGroup;
  final String channelBacklog;
  final String globalBacklog;
  final String horizonScan;
  final String oldestWriter;
  final String getMessage;
  final String getById;
  final String maxChannelId;
  final String maxChannelIds;
  final String maxId;

  Sql(@Nullable String schema, String prefix) {
    String qualifier = schema == null ? "" : schema + ".";
    String name = prefix + "message_bus";
    this.table = qualifier + name;
    this.createTable =
        "CREATE TABLE IF NOT EXISTS "
            + table
            + " (id bigserial PRIMARY KEY, channel text NOT NULL, value text NOT NULL CHECK"
            + " (octet_length(value) >= 2), added_at timestamp DEFAULT CURRENT_TIMESTAMP NOT"
            + " NULL)";
    this.createChannelIndex =
        "CREATE INDEX IF NOT EXISTS "
            + prefix
            + "table_channel_id_index ON "
            + table
            + " (channel, id)";
    this.createAddedAtIndex =
        "CREATE INDEX IF NOT EXISTS " + prefix + "table_added_at_index ON " + table + " (added_at)";
    // A query of pg_class, not to_regclass: inside a transaction to_regclass reads the backend's
    // catalog cache, which an advisory lock does not refresh, so a table another session created
    // while we waited for the lock could still look missing; its CREATE INDEX IF NOT EXISTS would
    // then queue for a SHARE lock behind any open transaction that published, and every publish
    // would queue behind it. A plain SELECT reads the catalog with the statement's snapshot.
    this.tableExists =
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
            + " ON n.oid = c.relnamespace WHERE c.relname = lower('"
            + name
            + "') AND "
            + (schema == null
                ? "n.nspname = ANY (current_schemas(false))"
                : "n.nspname = lower('" + schema + "')")
            + ")";
    this.dropTable = "DROP TABLE IF EXISTS " + table;
    // Insert, trim and notify in one statement: one round trip, one commit, atomic. The trim is
    // Ruby's clear_global_backlog, expire and clear_channel_backlog, each a DELETE of its own so
    // each can use its index, run when the new id is a multiple of clear_every and this
    // transaction gets the table's trim lock without waiting: concurrent trims would lock the same
    // rows in different orders and deadlock, so a publish that finds another one trimming skips
    // its trim (the next publish does it; trimming is "keep the newest N", idempotent). The
    // DELETEs see the table without the new row, so "keep the newest N rows of the channel up to
    // the new id" becomes "keep the newest N - 1 older ones".
    // Parameters: 1 channel, 2 value, 3 escaped channel, 4 clear every, 5 trim lock name, 6 max
    // global backlog size, 7 max age in seconds, 8 channel, 9 channel, 10 max backlog size - 1,
    // 11 notification channel.
    this.publish = publishStatement(table);
    // A group of messages in one statement (one round trip, one transaction, one plan for any
    // group size): the rows are inserted in the order of the arrays (ids ascend with it), the
    // trims of the messages that trim (a flag per message: not when a later message of the group
    // trims its channel with the same limits, and only every clear_every ids, under the trim
    // lock) are unions of the single statement's, and the announcements are sent in id order.
    // The DELETEs see the table without any row of the group, so a trimming message keeps
    // "max backlog size - k" older rows of its channel, k being the group's rows of that channel
    // up to it (the caller makes sure k does not exceed the limit).
    // The global and channel DELETEs only look above the trim floor, an id below which the
    // caller knows no row exists or can appear (see PublishBatcher): deleted rows stay in the
    // indexes until VACUUM, and a range scan from the lowest id would walk all of them on every
    // trim. A floor at or above the group's first id means the table was re-created: 0 is used.
    // Parameters: 1 channels, 2 values, 3 escaped channels, 4 trim flags, 5 older rows to keep,
    // 6 max ages in seconds (arrays, one element per message), 7 clear every, 8 trim lock name,
    // 9 trim floor, 10 max global backlog size, 11 notification channel. Result: one row per
    // message, in id order: id, position in the arrays (from 1), the notify, and the highest
    // trimming id (null when the group did not trim).
    this.publishGroup =
        "WITH i AS (SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::boolean[],"
            + " ?::int[], ?::text[]) WITH ORDINALITY AS i(channel, value, escaped, trims, keep,"
            + " age, ord)),"
            + " m AS (INSERT INTO "
            + table
            + " (channel, value) SELECT channel, value FROM i ORDER BY ord RETURNING id, value),"
            + " n AS (SELECT id, value, row_number() OVER (ORDER BY id) AS ord FROM m),"
            + " j AS (SELECT n.id, n.value, n.ord, i.channel, i.escaped, i.trims, i.keep, i.age"
            + " FROM n JOIN i ON i.ord = n.ord),"
            + " t AS (SELECT id, channel, keep, age FROM j WHERE CASE WHEN trims AND id % ? = 0"
            + " THEN pg_try_advisory_xact_lock(hashtext(?)) ELSE false END),"
            + " f AS (SELECT CASE WHEN p < (SELECT min(id) FROM m) THEN p ELSE 0 END AS floor"
            + " FROM (SELECT ?::bigint AS p) q),"
            + " g AS (DELETE FROM "
            + table
            + " WHERE id > (SELECT floor FROM f) AND id <= (SELECT max(id) FROM t) - ?),"
            + " e AS (DELETE FROM "
            + table
            + " WHERE added_at < CURRENT_TIMESTAMP - ((SELECT min(age::numeric) FROM t)::text"
            + " || ' seconds')::interval),"
            + " c AS (DELETE FROM "
            + table
            + " x USING (SELECT t.channel, (SELECT o.id FROM "
            + table
            + " o WHERE o.channel = t.channel AND o.id < t.id"
            + " ORDER BY o.channel DESC, o.id DESC OFFSET t.keep LIMIT 1) AS cut FROM t) k"
            + " WHERE x.channel = k.channel AND x.id > (SELECT floor FROM f) AND x.id <= k.cut)"
            + " SELECT id, ord, pg_notify(?, CASE WHEN octet_length(head || value) < "
            + NOTIFY_LIMIT_BYTES
            + " THEN head || value ELSE head END), (SELECT max(id) FROM t) FROM (SELECT id, ord,"
            + " value, id || '|' || id || '|' || escaped || '|' AS head FROM j ORDER BY id"
            + " OFFSET 0) s";
    // Every read that hands out positions stops at the settled horizon (the last parameter).
    this.channelBacklog =
        "SELECT id, value FROM " + table + " WHERE channel = ? AND id > ? AND id <= ? ORDER BY id";
    this.globalBacklog =
        "SELECT id, channel, value FROM " + table + " WHERE id > ? AND id <= ? ORDER BY id";
    // The settled horizon: the time now, the newest id, and the ids after the horizon.
    this.horizonScan =
        "SELECT clock_timestamp(), (SELECT max(id) FROM "
            + table
            + "), ARRAY(SELECT id FROM "
            + table
            + " WHERE id > ? ORDER BY id LIMIT "
            + HORIZON_SCAN_LIMIT
            + ")";
    // When the oldest transaction still writing to the table began (an insert holds
    // ROW EXCLUSIVE on the table from before it takes its id until it ends); NULL when none does,
    // -infinity when the start of one cannot be seen (another role without pg_read_all_stats).
    this.oldestWriter =
        "SELECT min(coalesce(a.xact_start, '-infinity'::timestamptz)) FROM pg_locks l"
            + " LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
            + " WHERE l.locktype = 'relation' AND l.relation = to_regclass('"
            + table
            + "') AND l.mode = 'RowExclusiveLock' AND l.granted"
            + " AND l.pid IS DISTINCT FROM pg_backend_pid()";
    this.getMessage = "SELECT value FROM " + table + " WHERE channel = ? AND id = ?";
    this.getById = "SELECT channel, value FROM " + table + " WHERE id = ?";
    this.maxChannelId = "SELECT max(id) FROM " + table + " WHERE channel = ? AND id <= ?";
    this.maxChannelIds =
        "SELECT channel, max(id) FROM "
            + table
            + " WHERE channel = ANY(?) AND id <= ? GROUP BY channel";
    this.maxId = "SELECT max(id) FROM " + table + " WHERE id <= ?";
  }

  /** The one-statement publish (insert, trim, notify). */
  private static String publishStatement(String table) {
    return "WITH m AS (INSERT INTO "
        + table
        + " (channel, value) VALUES (?, ?) RETURNING id, value),"
        + " a AS (SELECT id, value, id || '|' || id || '|' || ?::text || '|' AS head FROM m),"
        + " t AS (SELECT id FROM m WHERE CASE WHEN id % ? = 0"
        + " THEN pg_try_advisory_xact_lock(hashtext(?)) ELSE false END),"
        + " g AS (DELETE FROM "
        + table
        + " WHERE id <= (SELECT id FROM t) - ?),"
        + " e AS (DELETE FROM "
        + table
        + " WHERE added_at < CURRENT_TIMESTAMP - (?::text || ' seconds')::interval"
        + " AND EXISTS (SELECT 1 FROM t)),"
        + " c AS (DELETE FROM "
        + table
        + " WHERE channel = ? AND id <= (SELECT id FROM "
        + table
        + " WHERE channel = ? AND id < (SELECT id FROM t)"
        + " ORDER BY channel DESC, id DESC OFFSET ? LIMIT 1))"
        + " SELECT id, pg_notify(?, CASE WHEN octet_length(head || value) < "
        + NOTIFY_LIMIT_BYTES
        + " THEN head || value ELSE head END) FROM a";
  }

  /**
   * Tells whether an announcement carries no payload (the message was too large to announce) so the
   * row must be read.
   *
   * @param announcement the NOTIFY payload
   * @return true for {@code id|id|escaped channel|}
   */
  static boolean isIdOnly(String announcement) {
    return announcement.endsWith("|") && countPipes(announcement) == 3;
  }

  private static int countPipes(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '|') {
        n++;
      }
    }
    return n;
  }
}
