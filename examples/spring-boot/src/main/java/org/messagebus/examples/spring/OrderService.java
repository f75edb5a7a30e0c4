// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.examples.spring;

import java.sql.Connection;
import javax.sql.DataSource;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.postgres.PostgresBackend;
import org.messagebus.spi.PreparedPublish;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores an order and announces it on {@value #ORDERS} in one database transaction: the message is
 * written on the transaction's own connection ({@link PostgresBackend#publish(Connection,
 * PreparedPublish)}), so it is stored and sent only if the transaction commits. A plain {@link
 * MessageBus#publish} inside {@code @Transactional} is not part of the transaction: it is sent at
 * once and stays sent on rollback ({@link #placeThenFail}).
 */
@Service
public class OrderService {

  /** The channel orders are announced on. */
  public static final String ORDERS = "/orders";

  /** An order as announced. */
  public record Order(String id, String item) {}

  private final MessageBus bus;
  private final DataSource dataSource;
  private final JdbcTemplate jdbc;

  /**
   * Creates the service.
   *
   * @param bus the auto-configured bus (on the PostgreSQL backend)
   * @param dataSource the application's data source, which the bus uses too
   */
  public OrderService(MessageBus bus, DataSource dataSource) {
    this.bus = bus;
    this.dataSource = dataSource;
    this.jdbc = new JdbcTemplate(dataSource);
  }

  /**
   * Stores the order and announces it, both or neither.
   *
   * @param order the order
   * @param failAfterPublish throw after publishing (the transaction rolls back: nothing is stored,
   *     nothing is announced)
   * @return the message id
   */
  @Transactional
  public long place(Order order, boolean failAfterPublish) {
    jdbc.update("INSERT INTO orders (id, item) VALUES (?, ?)", order.id(), order.item());
    PreparedPublish message = bus.prepare(ORDERS, order, PublishOptions.builder().build());
    long id = backend().publish(DataSourceUtils.getConnection(dataSource), message);
    if (failAfterPublish) {
      throw new IllegalStateException("payment refused for order " + order.id());
    }
    return id;
  }

  /**
   * What not to do: a plain publish inside a transaction that then rolls back. The order is not
   * stored, but the announcement was already sent.
   *
   * @param order the order
   */
  @Transactional
  public void placeThenFail(Order order) {
    jdbc.update("INSERT INTO orders (id, item) VALUES (?, ?)", order.id(), order.item());
    bus.publish(ORDERS, order);
    throw new IllegalStateException("payment refused for order " + order.id());
  }

  /**
   * Tells whether an order is stored.
   *
   * @param id the order id
   * @return true if stored
   */
  public boolean exists(String id) {
    Integer n = jdbc.queryForObject("SELECT count(*) FROM orders WHERE id = ?", Integer.class, id);
    return n != null && n > 0;
  }

  private PostgresBackend backend() {
    if (bus.backend() instanceof PostgresBackend pg) {
      return pg;
    }
    throw new IllegalStateException("transactional publish needs message-bus.backend=postgres");
  }
}
