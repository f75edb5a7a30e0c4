// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.examples.spring;

import org.messagebus.spring.MessageBusUserIdLookup;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application on the MessageBus starter: REST endpoints publish ({@link
 * AnnouncementController}), browsers poll {@code /message-bus/<clientId>/poll} (served by the
 * starter), messages can target one user, and orders are stored and announced in one PostgreSQL
 * transaction ({@link OrderService}). Health: {@code /actuator/health} (component {@code
 * messageBus}).
 *
 * <p>Run it with a local PostgreSQL ({@code jdbc:postgresql://127.0.0.1:5432/test}, see {@code
 * application.properties}): {@code mvn -pl examples/spring-boot -am spring-boot:run} or {@code java
 * -jar}.
 */
@SpringBootApplication
public class SpringBootExample {

  /** The header that names the user in this example (a real application uses its security). */
  public static final String USER_HEADER = "X-User-Id";

  /**
   * Starts the application.
   *
   * @param args Spring Boot arguments, e.g. {@code --server.port=8081}
   */
  public static void main(String[] args) {
    SpringApplication.run(SpringBootExample.class, args);
  }

  /**
   * Who is polling, for messages published with {@code userIds}: here the {@value #USER_HEADER}
   * header. With Spring Security, drop this bean and set {@code
   * message-bus.security.user-id-from-principal=true} instead.
   *
   * @return the lookup
   */
  @Bean
  MessageBusUserIdLookup userIdLookup() {
    return request -> request.getHeader(USER_HEADER);
  }
}
