// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.messagebus.MessageBus;
import org.messagebus.micrometer.HttpEngineMetrics;
import org.messagebus.micrometer.MessageBusMetrics;
import org.messagebus.servlet.MessageBusFilter;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Binds the bus, and the HTTP endpoint when there is one, to the application's Micrometer registry:
 * a {@link MessageBusMetrics} and an {@link HttpEngineMetrics} bean, both {@code MeterBinder}s,
 * which Spring Boot's metrics support binds to its registry (so they appear under {@code
 * /actuator/metrics} and {@code /actuator/prometheus}). Needs a {@link MeterRegistry} bean (Spring
 * Boot Actuator) and {@code message-bus-micrometer} on the class path. Off with {@code
 * message-bus.metrics.enabled=false} or {@code message-bus.enabled=false}; each bean backs off when
 * the application defines its own.
 */
@AutoConfiguration(
    after = {MessageBusAutoConfiguration.class, MessageBusServletAutoConfiguration.class},
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"
    })
@ConditionalOnClass({MeterRegistry.class, MessageBusMetrics.class})
@ConditionalOnBooleanProperty(name = "message-bus.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "message-bus.metrics.enabled", matchIfMissing = true)
@ConditionalOnBean({MessageBus.class, MeterRegistry.class})
public final class MessageBusMetricsAutoConfiguration {

  /** Creates the auto-configuration (called by Spring). */
  public MessageBusMetricsAutoConfiguration() {}

  /**
   * The bus's meters ({@code messagebus.*}).
   *
   * @param bus the bus
   * @return the binder; closed (its meters removed) with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public MessageBusMetrics messageBusMetrics(MessageBus bus) {
    return new MessageBusMetrics(bus, Tags.empty());
  }

  /** The HTTP endpoint's meters ({@code messagebus.http.*}), with the endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MessageBusFilter.class)
  @ConditionalOnBean(MessageBusFilter.class)
  static class Http {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    HttpEngineMetrics messageBusHttpMetrics(MessageBusFilter filter) {
      return new HttpEngineMetrics(filter.engine(), Tags.empty());
    }
  }
}
