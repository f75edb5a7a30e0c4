// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What Ruby {@code message_bus} processes on the same database see of us and we of them (SPEC
 * §3.3): the table, the announcements, Ruby-published rows, {@code $$UNSUBSCRIBE}, and messages
 * beyond the 8,000-byte NOTIFY limit.
 */
@Timeout(60)
class InteropTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("interop");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  /** A raw LISTEN connection, as a Ruby process holds one. */
  private static final class RawListener implements AutoCloseable {
    final Connection c;
    final List<String> seen = new ArrayList<>();

    RawListener(String channel) throws Exception {
      c = DriverManager.getConnection(PgTestSupport.URL);
      try (Statement st = c.createStatement()) {
        st.execute("LISTEN " + channel);
      }
    }

    String next() throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        PGNotification[] ns = c.unwrap(PGConnection.class).getNotifications(200);
        if (ns != null) {
          for (PGNotification n : ns) {
            seen.add(n.getParameter());
          }
        }
      }
      assertThat(seen).as("a notification within 10 s").isNotEmpty();
      return seen.remove(0);
    }

    @Override
    public void close() throws SQLException {
      c.close();
    }
  }

  @Test
  void table_hasRubysColumnsConstraintAndIndexNames() throws Exception {
    String schema = pg.schema + "_ruby";
    try (PostgresBackend b =
        PostgresBackend.builder().dataSource(pg.dataSource()).schema(schema).build()) {
      b.publish("/foo", "{}", BackendPublishOptions.NONE);
      try (Connection c = pg.dataSource().getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT column_name, data_type, is_nullable, column_default"
                      + " FROM information_schema.columns WHERE table_schema = ?"
                      + " AND table_name = 'message_bus' ORDER BY ordinal_position")) {
        ps.setString(1, schema);
        List<String> columns = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            columns.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
          }
        }
        assertThat(columns)
            .containsExactly(
                "id bigint NO",
                "channel text NO",
                "value text NO",
                "added_at timestamp without time zone NO");
        try (PreparedStatement idx =
            c.prepareStatement(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = ?"
                    + " ORDER BY indexname")) {
          idx.setString(1, schema);
          List<String> indexes = new ArrayList<>();
          try (ResultSet rs = idx.executeQuery()) {
            while (rs.next()) {
              indexes.add(rs.getString(1));
            }
          }
          assertThat(indexes)
              .containsExactly(
                  "message_bus_pkey", "table_added_at_index", "table_channel_id_index");
        }
        try (Statement st = c.createStatement();
            ResultSet rs =
                st.executeQuery(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '"
                        + schema
                        + ".message_bus'::regclass AND contype = 'c'")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("CHECK ((octet_length(value) >= 2))");
        }
      }
    } finally {
      pg.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  void announcement_isTheStoredFormWithEscapedChannel() throws Exception {
    try (PostgresBackend b = pg.backend().notificationChannel(pg.schema + "_ann").build();
        RawListener raw = new RawListener(pg.schema + "_ann")) {
      long id = b.publish("/a|b$|$s2", "{\"data\":\"x\"}", BackendPublishOptions.NONE);

      // SPEC 3.3.3, verified on Ruby: 4|4|/a$$123$$b$$$123$$$s2|{"data":"x",...}
      assertThat(raw.next()).isEqualTo(id + "|" + id + "|/a$$123$$b$$$123$$$s2|{\"data\":\"x\"}");
    }
  }

  @Test
  void largePayload_isAnnouncedWithoutPayloadAndStillDelivered() throws Exception {
    String channel = pg.schema + "_big";
    try (PostgresBackend b = pg.backend().notificationChannel(channel).build();
        RawListener raw = new RawListener(channel)) {
      LinkedBlockingQueue<BackendMessage> inbox = new LinkedBlockingQueue<>();
      b.globalSubscribe(-1, inbox::add);
      // "1|1|/big|" is 9 bytes: 7,990 payload bytes make 7,999 (announced whole), 7,991 make
      // 8,000 (the limit: announced without payload).
      String fits = "é".repeat(3995);
      String tooLong = "x".repeat(7991);
      String huge = "y".repeat(200_000);

      long first = b.publish("/big", fits, BackendPublishOptions.NONE);
      long second = b.publish("/big", tooLong, BackendPublishOptions.NONE);
      long third = b.publish("/big", huge, BackendPublishOptions.NONE);

      assertThat(first).isEqualTo(1);
      assertThat(raw.next()).isEqualTo("1|1|/big|" + fits);
      assertThat(raw.next()).isEqualTo(second + "|" + second + "|/big|");
      assertThat(raw.next()).isEqualTo(third + "|" + third + "|/big|");
      assertThat(inbox.poll(10, TimeUnit.SECONDS).payload()).isEqualTo(fits);
      assertThat(inbox.poll(10, TimeUnit.SECONDS).payload()).isEqualTo(tooLong);
      assertThat(inbox.poll(10, TimeUnit.SECONDS).payload()).isEqualTo(huge);
      assertThat(b.getMessage("/big", third).payload()).isEqualTo(huge);
    }
  }

  @Test
  void rowPublishedTheRubyWay_isDelivered() throws Exception {
    String prefix = pg.uniqueName();
    String channel = pg.schema + "_" + prefix + "r";
    try (PostgresBackend b =
        PostgresBackend.builder()
            .dataSource(pg.dataSource())
            .schema(pg.schema)
            .tablePrefix(prefix)
            .notificationChannel(channel)
            .build()) {
      LinkedBlockingQueue<BackendMessage> inbox = new LinkedBlockingQueue<>();
      b.globalSubscribe(-1, inbox::add);
      // Ruby: insert (autocommit), then pg_notify with the stored form.
      try (Connection c = DriverManager.getConnection(PgTestSupport.URL)) {
        long id;
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO "
                    + pg.schema
                    + "."
                    + prefix
                    + "message_bus (channel, value) VALUES (?, ?) RETURNING id")) {
          ps.setString(1, "/ruby$|$");
          ps.setString(2, "{\"data\":\"from ruby\"}");
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            id = rs.getLong(1);
          }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
          ps.setString(1, channel);
          ps.setString(2, id + "|" + id + "|/ruby$$$123$$$|{\"data\":\"from ruby\"}");
          ps.execute();
        }
        assertThat(inbox.poll(10, TimeUnit.SECONDS))
            .isEqualTo(new BackendMessage(id, id, "/ruby$|$", "{\"data\":\"from ruby\"}"));
      }
    }
  }

  @Test
  void rubysUnsubscribeToken_isIgnored() throws Exception {
    String channel = pg.schema + "_unsub";
    try (PostgresBackend b = pg.backend().notificationChannel(channel).build()) {
      LinkedBlockingQueue<BackendMessage> inbox = new LinkedBlockingQueue<>();
      var sub = b.globalSubscribe(-1, inbox::add);
      pg.exec("SELECT pg_notify('" + channel + "', '$$UNSUBSCRIBE')");
      b.publish("/after", "{}", BackendPublishOptions.NONE);

      assertThat(inbox.poll(10, TimeUnit.SECONDS).channel()).isEqualTo("/after");
      assertThat(sub.isSubscribed()).isTrue();
      assertThat(inbox).isEmpty();
    }
  }

  @Test
  void resetByAnotherProcess_isNoticedAndDeliveryGoesOnFromIdOne() throws Exception {
    String name = pg.uniqueName();
    PostgresBackend.Builder common =
        PostgresBackend.builder()
            .dataSource(pg.dataSource())
            .schema(pg.schema)
            .tablePrefix(name)
            .notificationChannel(pg.schema + "_" + name);
    try (PostgresBackend ours = common.build();
        PostgresBackend theirs = common.build()) {
      LinkedBlockingQueue<BackendMessage> inbox = new LinkedBlockingQueue<>();
      ours.globalSubscribe(-1, inbox::add);
      for (String data : List.of("a1", "a2", "a3")) {
        theirs.publish("/x", data, BackendPublishOptions.NONE);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(inbox.poll(10, TimeUnit.SECONDS)).isNotNull();
      }

      theirs.reset(); // Ruby's reset!: the table is dropped and re-created elsewhere
      long id = theirs.publish("/x", "b1", BackendPublishOptions.NONE);

      assertThat(id).isEqualTo(1);
      assertThat(inbox.poll(10, TimeUnit.SECONDS)).isEqualTo(new BackendMessage(1, 1, "/x", "b1"));
      theirs.publish("/x", "b2", BackendPublishOptions.NONE);
      assertThat(inbox.poll(10, TimeUnit.SECONDS).payload()).isEqualTo("b2");
      assertThat(inbox).isEmpty();
    }
  }

  @Test
  void payloadShorterThanTwoBytes_isRejectedBeforeStoring() {
    try (PostgresBackend b = pg.backend().build()) {
      assertThatThrownBy(() -> b.publish("/foo", "x", BackendPublishOptions.NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payload");
      assertThat(b.lastGlobalId()).isZero();
    }
  }

  @Test
  void createSchemaOff_onMissingTable_failsWithClearError() {
    try (PostgresBackend b = pg.backend().createSchema(false).build()) {
      assertThatThrownBy(() -> b.publish("/foo", "{}", BackendPublishOptions.NONE))
          .isInstanceOf(org.messagebus.BackendException.class)
          .hasMessageContaining("publish to /foo failed")
          .hasMessageContaining("does not exist");
    }
  }
}
