// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code message-bus.metrics.*}: the Micrometer meters of the bus and its HTTP endpoint.
 *
 * @param enabled Whether to bind the bus (and the HTTP endpoint) to the application's MeterRegistry
 *     when it has one (Actuator) and message-bus-micrometer is on the class path.
 * @param dispatchLagSampleInterval How often at most the publish-to-dispatch lag of one of this
 *     process's own publishes is measured (messagebus.dispatch.lag): below one publish per interval
 *     every publish is measured; 0 measures every one (of those timed: see
 *     publish-timing-sample-interval).
 * @param publishTimingSampleInterval How often at most a publish is timed
 *     (messagebus.publish.duration) when publishes come faster: below one publish per interval
 *     every publish is timed, above it about one per interval (at least one in 64); every publish
 *     is counted (messagebus.publishes). 0 times every one.
 */
public record MetricsProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("1ms") Duration dispatchLagSampleInterval,
    @DefaultValue("1ms") Duration publishTimingSampleInterval) {}
