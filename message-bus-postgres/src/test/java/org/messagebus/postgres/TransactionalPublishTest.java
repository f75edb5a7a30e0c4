// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.spi.PreparedPublish;
import org.messagebus.testkit.ManualClock;

/**
 * Publishing inside the caller's transaction: a commit stores and announces, a rollback nothing.
 */
@Timeout(60)
class TransactionalPublishTest {

  private static PgTestSupport pg;

  @BeforeAll
  static void createSchema() {
    pg = PgTestSupport.create("tx");
  }

  @AfterAll
  static void dropSchema() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  private static Object next(LinkedBlockingQueue<Message> inbox) throws InterruptedException {
    Message m = inbox.poll(10, TimeUnit.SECONDS);
    assertThat(m).as("a message within 10 s").isNotNull();
    return m.data();
  }

  @Test
  void publishInTransaction_isInvisibleUntilCommitThenDeliveredOnce() throws Exception {
    PostgresBackend backend = pg.backend().build();
    try (MessageBus bus = MessageBus.builder().backend(backend).build()) {
      LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
      bus.subscribe("/orders", inbox::add);
      PreparedPublish p = bus.prepare("/orders", "order 1", PublishOptions.NONE);

      try (Connection c = pg.dataSource().getConnection()) {
        c.setAutoCommit(false);
        long id = backend.publish(c, p);
        // Not committed: no reader sees it, nor the later publish it holds back (its id is lower).
        bus.publish("/orders", "sentinel");
        assertThat(bus.backlog("/orders", 0)).isEmpty();

        c.commit();

        // Delivered in id order, exactly once.
        assertThat(next(inbox)).isEqualTo("order 1");
        assertThat(next(inbox)).isEqualTo("sentinel");
        assertThat(bus.backlog("/orders", 0))
            .extracting(Message::data)
            .containsExactly("order 1", "sentinel");
        assertThat(bus.backlog("/orders", 0).get(0).messageId()).isEqualTo(id);
      }
      bus.publish("/orders", "after");
      assertThat(next(inbox)).isEqualTo("after");
      assertThat(inbox).isEmpty();
    }
  }

  @Test
  void openTransactionPastTheLateCommitWindow_isGivenUpAndTheRestDelivered() throws Exception {
    ManualClock clock = new ManualClock();
    PostgresBackend backend =
        pg.backend().clock(clock).lateCommitWindow(Duration.ofMinutes(1)).build();
    try (MessageBus bus = MessageBus.builder().backend(backend).build()) {
      LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
      bus.subscribe("/orders", inbox::add);
      try (Connection c = pg.dataSource().getConnection()) {
        c.setAutoCommit(false);
        backend.publish(c, bus.prepare("/orders", "too late", PublishOptions.NONE));
        bus.publish("/orders", "sentinel");
        assertThat(bus.backlog("/orders", 0)).isEmpty(); // held back within the window

        clock.advance(Duration.ofMinutes(1));

        assertThat(next(inbox)).isEqualTo("sentinel");
        assertThat(bus.backlog("/orders", 0)).extracting(Message::data).containsExactly("sentinel");
        c.commit();
      }
      bus.publish("/orders", "after");
      assertThat(next(inbox)).isEqualTo("after");
      assertThat(inbox).isEmpty();
    }
  }

  @Test
  void publishInTransaction_thenRollback_leavesNoRowAndWakesNoSubscriber() throws Exception {
    PostgresBackend backend = pg.backend().build();
    try (MessageBus bus = MessageBus.builder().backend(backend).build()) {
      LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
      bus.subscribe("/orders", inbox::add);

      try (Connection c = pg.dataSource().getConnection()) {
        c.setAutoCommit(false);
        backend.publish(c, bus.prepare("/orders", "never", PublishOptions.NONE));
        c.rollback();
        c.setAutoCommit(true);
      }
      bus.publish("/orders", "sentinel");

      assertThat(next(inbox)).isEqualTo("sentinel");
      assertThat(bus.backlog("/orders", 0)).extracting(Message::data).containsExactly("sentinel");
      bus.publish("/orders", "after");
      assertThat(next(inbox)).isEqualTo("after");
      assertThat(inbox).isEmpty();
    }
  }

  @Test
  void publishWithAutocommit_isAnOrdinaryPublish() throws Exception {
    PostgresBackend backend = pg.backend().build();
    try (MessageBus bus = MessageBus.builder().backend(backend).build()) {
      LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
      bus.subscribe("/orders", inbox::add);
      try (Connection c = pg.dataSource().getConnection()) {
        backend.publish(c, bus.prepare("/orders", "now", PublishOptions.NONE));
      }
      assertThat(next(inbox)).isEqualTo("now");
    }
  }
}
