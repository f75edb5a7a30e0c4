// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.messagebus.BackendState;
import org.messagebus.MessageBus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports the bus in Spring Boot's health endpoint (contributor {@code messageBus}), from the
 * backend's connection state ({@link MessageBus#backendState()}), so a lost connection shows at
 * once:
 *
 * <ul>
 *   <li>DOWN when the bus is closed, when the backend is {@link BackendState#DISCONNECTED} (detail
 *       {@code reason}: why, without credentials), or when the keepalive has received nothing for
 *       three intervals ({@link MessageBus#isHealthy()} false);
 *   <li>UNKNOWN while the backend has not tried to reach its store yet ({@link
 *       BackendState#UNKNOWN}; Boot counts it as neither up nor down);
 *   <li>UP otherwise.
 * </ul>
 *
 * <p>The details name the backend and its state, and tell whether the bus is listening and whether
 * it was turned off. The starter puts this contributor in the {@code readiness} group and keeps it
 * out of {@code liveness} (see {@link MessageBusHealthAutoConfiguration}): a backend outage takes
 * the instance out of the load balancer, it does not restart it.
 */
public final class MessageBusHealthIndicator implements HealthIndicator {

  /** The contributor's name in the health endpoint and in health groups. */
  public static final String NAME = "messageBus";

  private final MessageBus bus;

  /**
   * Creates the indicator.
   *
   * @param bus the bus to report on
   */
  public MessageBusHealthIndicator(MessageBus bus) {
    this.bus = bus;
  }

  @Override
  public Health health() {
    Health.Builder h;
    BackendState state = bus.backendState();
    if (bus.isClosed()) {
      h = Health.down().withDetail("reason", "closed");
    } else if (state == BackendState.DISCONNECTED) {
      h =
          Health.down()
              .withDetail(
                  "reason",
                  "backend disconnected"
                      + bus.backendFailure().map(f -> ": " + describe(f)).orElse(""));
    } else if (!bus.isHealthy()) {
      h = Health.down().withDetail("reason", "keepalive missed: nothing received for 3 intervals");
    } else if (state == BackendState.UNKNOWN) {
      h = Health.unknown().withDetail("reason", "the backend has not reached its store yet");
    } else {
      h = Health.up();
    }
    return h.withDetail("backend", bus.backend().getClass().getSimpleName())
        .withDetail("backendState", state.name())
        .withDetail("listening", bus.isListening())
        .withDetail("off", bus.isOff())
        .build();
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
  }
}
