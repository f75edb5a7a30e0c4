// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.BackendPublishOptions;
import org.messagebus.spi.PreparedPublish;

/**
 * Regression: ids are taken at insert, but transactions commit in any order. A reader that saw id N
 * must still get an id below N that commits later ("in-flight id loss"): two connections, the lower
 * id's transaction commits after the higher one, a reader reads in between.
 */
@Timeout(60)
class InFlightIdTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("inflight");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  private static PreparedPublish message(String payload) {
    return new PreparedPublish("/c", payload, BackendPublishOptions.NONE);
  }

  /** Polls like an HTTP client: from its position, remembering the newest id it saw. */
  private static final class Poller {
    final List<String> got = new ArrayList<>();
    long position;

    Poller(long position) {
      this.position = position;
    }

    void poll(PostgresBackend b) {
      for (BackendMessage m : b.backlog("/c", position)) {
        got.add(m.payload());
        position = Math.max(position, m.messageId());
      }
    }
  }

  @Test
  void lowerIdCommittingAfterHigherOne_isStillPolledExactlyOnce() throws Exception {
    try (PostgresBackend b = pg.backend().build();
        Connection low = pg.dataSource().getConnection();
        Connection high = pg.dataSource().getConnection()) {
      b.publish("/c", "before", BackendPublishOptions.NONE);
      Poller early = new Poller(0);
      early.poll(b);
      low.setAutoCommit(false);
      high.setAutoCommit(false);
      long lowId = b.publish(low, message("low"));
      long highId = b.publish(high, message("high"));
      assertThat(lowId).isLessThan(highId);
      high.commit();

      // In between: one poller that was already reading, one that starts now from lastId.
      early.poll(b);
      Poller late = new Poller(b.lastId("/c"));
      late.poll(b);
      long globalPosition = b.lastGlobalId();

      low.commit();
      early.poll(b);
      late.poll(b);

      assertThat(early.got).containsExactly("before", "low", "high");
      assertThat(late.got).containsExactly("low", "high");
      assertThat(b.globalBacklog(globalPosition))
          .extracting(BackendMessage::payload)
          .containsExactly("low", "high");
    }
  }

  @Test
  void lowerIdCommittingAfterHigherOne_reachesBusPollAndSubscriberOnce() throws Exception {
    PostgresBackend b = pg.backend().build();
    try (MessageBus bus = MessageBus.builder().backend(b).build();
        Connection low = pg.dataSource().getConnection();
        Connection high = pg.dataSource().getConnection()) {
      LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
      bus.subscribe("/c", inbox::add);
      low.setAutoCommit(false);
      high.setAutoCommit(false);
      b.publish(low, bus.prepare("/c", "low", org.messagebus.PublishOptions.NONE));
      b.publish(high, bus.prepare("/c", "high", org.messagebus.PublishOptions.NONE));
      high.commit();

      long position = 0;
      List<Object> polled = new ArrayList<>();
      for (Message m : bus.backlog("/c", position)) {
        polled.add(m.data());
        position = m.messageId();
      }
      low.commit();
      for (Message m : bus.backlog("/c", position)) {
        polled.add(m.data());
      }
      assertThat(polled).containsExactly("low", "high");

      List<Object> delivered = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Message m = inbox.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("message %d within 10 s", i + 1).isNotNull();
        delivered.add(m.data());
      }
      bus.publish("/c", "after");
      Message after = inbox.poll(10, TimeUnit.SECONDS);
      assertThat(after).isNotNull();
      delivered.add(after.data());
      assertThat(delivered).containsExactlyInAnyOrder("low", "high", "after");
      assertThat(delivered.get(2)).isEqualTo("after");
      assertThat(inbox).isEmpty();
    }
  }
}
