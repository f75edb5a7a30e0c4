// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.BackendException;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.Retention;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A group of publishes written in one round trip and one transaction: each message keeps its own
 * id, row and announcement (Ruby's stored form, one per message, in id order), every publish
 * returns only once its row is committed, and a message the database rejects fails alone.
 *
 * <p>A group is formed deterministically: another session holds a {@code SHARE} lock on the table,
 * so the first publish (the writer) blocks on its insert while the next ones queue behind it; when
 * the lock is released, the writer's lone message commits and the queued ones go as one group.
 */
@Timeout(60)
class PublishGroupTest {

  private static PgTestSupport pg;
  private final ExecutorService pool = Executors.newFixedThreadPool(6);

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("group");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  /** One backend on its own table and notification channel, with a raw LISTEN beside it. */
  private final class Fixture implements AutoCloseable {
    final String prefix = pg.uniqueName();
    final String table = pg.schema + "." + prefix + "message_bus";
    final String channel = pg.schema + "_" + prefix + "ann";
    final PostgresBackend backend;
    final Connection listen;
    final List<String> announcements = new ArrayList<>();

    Fixture(Retention retention) throws Exception {
      backend =
          PostgresBackend.builder()
              .dataSource(pg.dataSource())
              .schema(pg.schema)
              .tablePrefix(prefix)
              .notificationChannel(channel)
              .retention(retention)
              .build();
      backend.lastGlobalId(); // creates the table
      listen = DriverManager.getConnection(PgTestSupport.URL);
      try (Statement st = listen.createStatement()) {
        st.execute("LISTEN " + channel);
      }
    }

    /**
     * Publishes {@code first} while the table is locked, then queues {@code rest} (each in order,
     * waiting until it is queued), then releases the lock.
     *
     * @return the outcomes, {@code first} at index 0
     */
    List<Future<Long>> grouped(String[] first, String[]... rest) throws Exception {
      List<Future<Long>> outcomes = new ArrayList<>();
      try (Connection blocker = DriverManager.getConnection(PgTestSupport.URL)) {
        blocker.setAutoCommit(false);
        try (Statement st = blocker.createStatement()) {
          st.execute("LOCK TABLE " + table + " IN SHARE MODE");
        }
        outcomes.add(publishAsync(first));
        await().atMost(Duration.ofSeconds(20)).until(() -> waitingForLock() > 0);
        for (int i = 0; i < rest.length; i++) {
          outcomes.add(publishAsync(rest[i]));
          int queued = i + 1;
          await()
              .atMost(Duration.ofSeconds(20))
              .until(() -> backend.publishesAwaitingGroup() == queued);
        }
        blocker.rollback();
      }
      return outcomes;
    }

    private Future<Long> publishAsync(String[] channelAndPayload) {
      return pool.submit(
          () ->
              backend.publish(
                  channelAndPayload[0], channelAndPayload[1], BackendPublishOptions.NONE));
    }

    private int waitingForLock() throws Exception {
      try (Connection c = DriverManager.getConnection(PgTestSupport.URL);
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*) FROM pg_locks WHERE relation = to_regclass(?) AND NOT granted")) {
        ps.setString(1, table);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getInt(1);
        }
      }
    }

    /** The next {@code n} announcements on the notification channel. */
    List<String> announcements(int n) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (announcements.size() < n && System.nanoTime() < deadline) {
        PGNotification[] ns = listen.unwrap(PGConnection.class).getNotifications(200);
        if (ns != null) {
          for (PGNotification note : ns) {
            announcements.add(note.getParameter());
          }
        }
      }
      return List.copyOf(announcements);
    }

    /** The transaction id that wrote each row, in the order of {@code ids} (null if none). */
    List<String> writers(long... ids) throws Exception {
      List<String> xmins = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(PgTestSupport.URL);
          PreparedStatement ps =
              c.prepareStatement("SELECT xmin::text FROM " + table + " WHERE id = ?")) {
        for (long id : ids) {
          ps.setLong(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            xmins.add(rs.next() ? rs.getString(1) : null);
          }
        }
      }
      return xmins;
    }

    /** Channel and value of every row, in id order. */
    List<String> rows() throws Exception {
      List<String> rows = new ArrayList<>();
      try (Connection c = DriverManager.getConnection(PgTestSupport.URL);
          Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT id, channel, value FROM " + table + " ORDER BY id")) {
        while (rs.next()) {
          rows.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getString(3));
        }
      }
      return rows;
    }

    @Override
    public void close() throws SQLException {
      listen.close();
      backend.close();
    }
  }

  private static String[] msg(String channel, String payload) {
    return new String[] {channel, payload};
  }

  private static long get(Future<Long> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @Test
  void queuedPublishes_shareOneTransaction_butKeepTheirOwnIdsRowsAndAnnouncementsInOrder()
      throws Exception {
    try (Fixture f = new Fixture(Retention.DEFAULTS)) {
      List<Future<Long>> out =
          f.grouped(
              msg("/a", "\"first\""), msg("/a", "\"b\""), msg("/x|y", "\"c\""), msg("/a", "\"d\""));
      long a = get(out.get(0));
      long b = get(out.get(1));
      long c = get(out.get(2));
      long d = get(out.get(3));

      assertThat(new long[] {a, b, c, d}).as("ids in the order published").isSorted();
      assertThat(f.writers(b, c, d)).as("one transaction for the group").doesNotContainNull();
      assertThat(f.writers(b, c, d)).containsOnly(f.writers(b).get(0));
      assertThat(f.writers(a)).doesNotContain(f.writers(b).get(0));
      // Ruby's stored form, one announcement per message, in id order (SPEC 3.3.3).
      assertThat(f.announcements(4))
          .containsExactly(
              a + "|" + a + "|/a|\"first\"",
              b + "|" + b + "|/a|\"b\"",
              c + "|" + c + "|/x$$123$$y|\"c\"",
              d + "|" + d + "|/a|\"d\"");
      assertThat(f.rows())
          .containsExactly(
              a + " /a \"first\"", b + " /a \"b\"", c + " /x|y \"c\"", d + " /a \"d\"");
    }
  }

  @Test
  void aGroupTrimsAsIfEachMessageWasPublishedAlone() throws Exception {
    try (Fixture f = new Fixture(Retention.builder().maxBacklogSize(3).build())) {
      List<Future<Long>> out =
          f.grouped(
              msg("/t", "\"first\""),
              msg("/t", "\"b\""),
              msg("/t", "\"c\""),
              msg("/u", "\"u\""),
              msg("/t", "\"d\""));
      long b = get(out.get(1));
      long c = get(out.get(2));
      long u = get(out.get(3));
      long d = get(out.get(4));
      get(out.get(0));

      assertThat(f.writers(b, c, u, d)).containsOnly(f.writers(b).get(0));
      assertThat(f.rows())
          .containsExactly(b + " /t \"b\"", c + " /t \"c\"", u + " /u \"u\"", d + " /t \"d\"");
    }
  }

  @Test
  void aGroupWithMoreMessagesOfAChannelThanItsLimit_keepsOnlyTheNewest() throws Exception {
    try (Fixture f = new Fixture(Retention.builder().maxBacklogSize(2).build())) {
      List<Future<Long>> out =
          f.grouped(
              msg("/t", "\"first\""),
              msg("/t", "\"b\""),
              msg("/t", "\"c\""),
              msg("/u", "\"u\""),
              msg("/t", "\"d\""));
      long c = get(out.get(2));
      long u = get(out.get(3));
      long d = get(out.get(4));
      get(out.get(0));
      get(out.get(1));

      assertThat(f.rows()).containsExactly(c + " /t \"c\"", u + " /u \"u\"", d + " /t \"d\"");
    }
  }

  @Test
  void aMessageTheDatabaseRejects_failsAlone_andTheRestOfItsGroupIsStoredAndAnnounced()
      throws Exception {
    try (Fixture f = new Fixture(Retention.DEFAULTS)) {
      // PostgreSQL text cannot hold a NUL character: the database rejects the statement.
      List<Future<Long>> out =
          f.grouped(
              msg("/a", "\"first\""),
              msg("/a", "\"b\""),
              msg("/a", "\"bad\u0000\""),
              msg("/a", "\"d\""));
      long a = get(out.get(0));
      long b = get(out.get(1));
      long d = get(out.get(3));
      assertThatThrownBy(() -> get(out.get(2)))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("publish to /a failed");

      assertThat(new long[] {a, b, d}).isSorted();
      assertThat(f.rows()).containsExactly(a + " /a \"first\"", b + " /a \"b\"", d + " /a \"d\"");
      assertThat(f.announcements(3))
          .containsExactly(
              a + "|" + a + "|/a|\"first\"", b + "|" + b + "|/a|\"b\"", d + "|" + d + "|/a|\"d\"");
    }
  }

  @Test
  void everyPublish_returnsOnlyOnceItsRowIsCommitted() throws Exception {
    try (Fixture f = new Fixture(Retention.builder().maxGlobalBacklogSize(10_000).build());
        Connection reader = DriverManager.getConnection(PgTestSupport.URL);
        PreparedStatement read =
            reader.prepareStatement("SELECT count(*) FROM " + f.table + " WHERE id = ?")) {
      List<Future<List<Long>>> publishers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String channel = "/p" + t;
        publishers.add(
            pool.submit(
                () -> {
                  List<Long> ids = new ArrayList<>();
                  for (int i = 0; i < 100; i++) {
                    ids.add(
                        f.backend.publish(channel, "\"" + i + "\"", BackendPublishOptions.NONE));
                  }
                  return ids;
                }));
      }
      // Read each id from another session as soon as its publish returned.
      int seen = 0;
      for (Future<List<Long>> p : publishers) {
        for (long id : p.get(40, TimeUnit.SECONDS)) {
          read.setLong(1, id);
          try (ResultSet rs = read.executeQuery()) {
            rs.next();
            seen += rs.getInt(1);
          }
        }
      }
      assertThat(seen).isEqualTo(400);
    }
  }
}
