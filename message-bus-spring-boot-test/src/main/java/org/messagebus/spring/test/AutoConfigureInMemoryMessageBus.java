// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.TestPropertySource;

/**
 * Runs the auto-configured bus on the in-process memory backend in a {@code @SpringBootTest},
 * whatever {@code message-bus.backend} the application's configuration names (Redis and PostgreSQL
 * are then neither needed nor touched), with the keepalive off. Every message published in the test
 * is kept in the backlog of its channel, so {@link MessageBusAssertions} can check it.
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureInMemoryMessageBus
 * class OrderEventsTest {
 *   @Autowired MessageBus bus;
 *   @Autowired OrderService orders;
 *
 *   @Test
 *   void placingAnOrder_announcesIt() {
 *     orders.place("42");
 *     MessageBusAssertions.assertThat(bus).channel("/orders").receivedMessage(Map.of("id", "42"));
 *   }
 * }
 * }</pre>
 *
 * <p>It sets {@code message-bus.backend=memory} and {@code message-bus.keepalive-interval=0} as
 * test properties (above {@code application.properties}). An application that defines its own
 * {@code org.messagebus.spi.Backend} bean keeps it: replace that bean in the test instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@TestPropertySource(properties = {"message-bus.backend=memory", "message-bus.keepalive-interval=0"})
public @interface AutoConfigureInMemoryMessageBus {}
