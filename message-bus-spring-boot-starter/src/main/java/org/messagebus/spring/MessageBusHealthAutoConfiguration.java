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

/**
 * Adds a {@link MessageBusHealthIndicator} (contributor {@code messageBus}) when the application
 * uses Spring Boot's health support and has a {@link MessageBus} bean. Off with {@code
 * management.health.messagebus.enabled=false} or {@code message-bus.enabled=false}; backs off when
 * the application defines a bean named {@code messageBusHealthIndicator}.
 */
@AutoConfiguration(after = MessageBusAutoConfiguration.class)
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
}
