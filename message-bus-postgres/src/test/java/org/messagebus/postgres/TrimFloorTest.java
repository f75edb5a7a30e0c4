// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.Retention;

/**
 * The trim floor (see {@link PublishBatcher}): trims scan only above an id up to which no row
 * exists nor can appear, and still keep exactly what trimming every publish from id 0 keeps: a row
 * committed late below the trimmed ids goes with the next trim, and a table re-created by another
 * process is trimmed from id 0 again.
 */
@Timeout(60)
class TrimFloorTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("floor");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  private static final Retention GLOBAL_3 =
      Retention.builder().maxGlobalBacklogSize(3).maxBacklogSize(100).build();

  private static PostgresBackend backend(String prefix) {
    return PostgresBackend.builder()
        .dataSource(pg.dataSource())
        .schema(pg.schema)
        .tablePrefix(prefix)
        .notificationChannel(pg.schema + "_" + prefix)
        .retention(GLOBAL_3)
        .build();
  }

  private static List<Long> ids(String prefix) throws Exception {
    List<Long> ids = new ArrayList<>();
    try (Connection c = pg.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT id FROM " + pg.schema + "." + prefix + "message_bus ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  private static long publish(PostgresBackend b, int n) {
    long id = 0;
    for (int i = 0; i < n; i++) {
      id = b.publish("/f", "\"m" + i + "\"", BackendPublishOptions.NONE);
      b.lastGlobalId(); // a reader: keeps the settled horizon current
    }
    return id;
  }

  @Test
  void theFloorRises_andTrimmingStillKeepsExactlyTheNewestRows() throws Exception {
    String prefix = pg.uniqueName();
    try (PostgresBackend b = backend(prefix)) {
      long last = publish(b, 20);

      assertThat(b.trimFloor()).isGreaterThan(0).isLessThanOrEqualTo(last - 3);
      assertThat(ids(prefix)).containsExactly(last - 2, last - 1, last);
    }
  }

  @Test
  void aRowCommittedLateBelowTheTrimmedIds_goesWithTheNextTrim() throws Exception {
    String prefix = pg.uniqueName();
    try (PostgresBackend b = backend(prefix)) {
      publish(b, 5);
      long late;
      // Another process's insert (Ruby's insert_message) in a transaction still open while this
      // backend publishes and trims far past its id.
      try (Connection c = pg.dataSource().getConnection()) {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement();
            ResultSet rs =
                st.executeQuery(
                    "INSERT INTO "
                        + pg.schema
                        + "."
                        + prefix
                        + "message_bus (channel, value) VALUES ('/late', '\"late\"') RETURNING id")) {
          rs.next();
          late = rs.getLong(1);
        }
        long last = publish(b, 20);
        assertThat(ids(prefix)).containsExactly(last - 2, last - 1, last);
        assertThat(b.trimFloor()).isGreaterThan(0).isLessThan(late);
        c.commit();
      }
      assertThat(ids(prefix)).contains(late);

      long last = publish(b, 1);

      assertThat(ids(prefix)).containsExactly(last - 2, last - 1, last);
    }
  }

  @Test
  void aTableReCreatedByAnotherProcess_isTrimmedFromIdZeroAgain() throws Exception {
    String prefix = pg.uniqueName();
    try (PostgresBackend b = backend(prefix);
        PostgresBackend other = backend(prefix)) {
      publish(b, 20);
      assertThat(b.trimFloor()).isGreaterThan(10);

      other.reset(); // ids start again at 1, below b's floor
      long last = publish(b, 8);

      assertThat(last).isEqualTo(8);
      assertThat(ids(prefix)).containsExactly(6L, 7L, 8L);
    }
  }

  @Test
  void resetForgetsTheFloor() throws Exception {
    String prefix = pg.uniqueName();
    try (PostgresBackend b = backend(prefix)) {
      publish(b, 20);
      assertThat(b.trimFloor()).isGreaterThan(0);

      b.reset();

      assertThat(b.trimFloor()).isZero();
      long last = publish(b, 6);
      assertThat(ids(prefix)).containsExactly(last - 2, last - 1, last);
    }
  }
}
