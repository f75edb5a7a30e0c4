// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code message-bus.metrics.*}: the Micrometer meters of the bus and its HTTP endpoint.
 *
 * @param enabled Whether to bind the bus (and the HTTP endpoint) to the application's MeterRegistry
 *     when it has one (Actuator) and message-bus-micrometer is on the class path.
 */
public record MetricsProperties(@DefaultValue("true") boolean enabled) {}
