// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The memory backend, used when the application defines no {@link Backend} bean and {@code
 * message-bus.backend} is {@code memory} or unset. Other backends follow the same shape: one
 * configuration per backend, conditional on its module's classes, on {@code
 * message-bus.backend=<name>} and on there being no {@link Backend} bean yet.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnMissingBean(Backend.class)
@ConditionalOnProperty(
    name = "message-bus.backend",
    havingValue = MessageBusProperties.MEMORY_BACKEND,
    matchIfMissing = true)
class MemoryBackendConfiguration {

  @Bean
  MemoryBackend messageBusMemoryBackend(MessageBusProperties properties) {
    MemoryBackend.Builder b = MemoryBackend.builder().retention(properties.toRetention());
    var expiry = properties.memory().expiryInterval();
    Settings.apply("message-bus.memory.expiry-interval", expiry, () -> b.expiryInterval(expiry));
    return b.build();
  }

  @Bean
  StartupLog.BackendDescription messageBusBackendDescription() {
    return new StartupLog.BackendDescription("memory (this process only)");
  }
}
