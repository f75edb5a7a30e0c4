// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.messagebus.MessageBus;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Adds a {@link MessageBusHealthIndicator} (contributor {@code messageBus}) when the application
 * uses Spring Boot's health support and has a {@link MessageBus} bean. Off with {@code
 * management.health.messagebus.enabled=false} or {@code message-bus.enabled=false}; backs off when
 * the application defines a bean named {@code messageBusHealthIndicator}.
 *
 * <p>With Actuator's health endpoint, the contributor is a member of the {@code readiness} group
 * and never of {@code liveness} (a {@code HealthEndpointGroupsPostProcessor} that runs after Boot's
 * probe groups are added); {@code management.endpoint.health.group.readiness.exclude=messageBus}
 * keeps it out of readiness too.
 */
@AutoConfiguration(
    after = MessageBusAutoConfiguration.class,
    afterName =
        "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBooleanProperty(name = "message-bus.enabled", matchIfMissing = true)
@ConditionalOnBean(MessageBus.class)
@ConditionalOnEnabledHealthIndicator("messagebus")
public final class MessageBusHealthAutoConfiguration {

  /** Creates the auto-configuration (called by Spring). */
  public MessageBusHealthAutoConfiguration() {}

  /**
   * The health indicator.
   *
   * @param bus the bus
   * @return the indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "messageBusHealthIndicator")
  public MessageBusHealthIndicator messageBusHealthIndicator(MessageBus bus) {
    return new MessageBusHealthIndicator(bus);
  }

  /**
   * The readiness (and not liveness) membership, with Actuator's health endpoint. Registered after
   * Boot's probe groups post-processor (both have the lowest precedence, so registration order
   * decides), so it sees the {@code readiness} and {@code liveness} groups Boot adds.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor",
        "org.springframework.boot.actuate.endpoint.SecurityContext"
      })
  static class Groups {

    @Bean
    @ConditionalOnMissingBean(name = "messageBusHealthGroups")
    MessageBusHealthGroups messageBusHealthGroups(Environment environment) {
      return new MessageBusHealthGroups(environment);
    }
  }
}
