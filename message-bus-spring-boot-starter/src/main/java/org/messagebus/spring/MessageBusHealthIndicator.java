package org.messagebus.spring;

import org.messagebus.MessageBus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports the bus in Spring Boot's health endpoint (contributor {@code messageBus}): DOWN when the
 * bus is closed or its keepalive has received nothing for three intervals ({@link
 * MessageBus#isHealthy()} false — the backend subscription is probably broken), UP otherwise. The
 * details name the backend and tell whether the bus is listening and whether it was turned off.
 */
public final class MessageBusHealthIndicator implements HealthIndicator {

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
    if (bus.isClosed()) {
      h = Health.down().withDetail("reason", "closed");
    } else if (!bus.isHealthy()) {
      h = Health.down().withDetail("reason", "keepalive missed: nothing received for 3 intervals");
    } else {
      h = Health.up();
    }
    return h.withDetail("backend", bus.backend().getClass().getSimpleName())
        .withDetail("listening", bus.isListening())
        .withDetail("off", bus.isOff())
        .build();
  }
}
