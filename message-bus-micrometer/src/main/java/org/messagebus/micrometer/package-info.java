/**
 * Micrometer metrics for MessageBus: {@link org.messagebus.micrometer.MessageBusMetrics} binds a
 * bus (publishes, dispatch, lag, listener failures, subscriptions, keepalive health, the backend's
 * connection state, the distributed cache) and {@link org.messagebus.micrometer.HttpEngineMetrics}
 * binds an HTTP engine (polls by mode and outcome, held polls, deliveries, bytes) to a {@code
 * MeterRegistry}. See docs/metrics.md for every meter.
 */
@NullMarked
package org.messagebus.micrometer;

import org.jspecify.annotations.NullMarked;
