package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@Timeout(60)
class MessageBusHealthAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MessageBusAutoConfiguration.class, MessageBusHealthAutoConfiguration.class))
          .withPropertyValues("message-bus.keepalive-interval=0");

  @Test
  void openBus_isUp_withDetails() {
    runner.run(
        ctx -> {
          Health h = ctx.getBean(MessageBusHealthIndicator.class).health();
          assertThat(h.getStatus()).isEqualTo(Status.UP);
          assertThat(h.getDetails())
              .containsEntry("backend", "MemoryBackend")
              .containsEntry("off", false)
              .containsKey("listening");
        });
  }

  @Test
  void closedBus_isDown() {
    runner.run(
        ctx -> {
          ctx.getBean(MessageBus.class).close();
          Health h = ctx.getBean(MessageBusHealthIndicator.class).health();
          assertThat(h.getStatus()).isEqualTo(Status.DOWN);
          assertThat(h.getDetails()).containsEntry("reason", "closed");
        });
  }

  @Test
  void disabledByProperty_noIndicator() {
    runner
        .withPropertyValues("management.health.messagebus.enabled=false")
        .run(ctx -> assertThat(ctx).doesNotHaveBean(MessageBusHealthIndicator.class));
  }

  @Test
  void withoutBootHealth_noIndicator_butTheBus() {
    runner
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(MessageBusHealthIndicator.class);
            });
  }

  @Test
  void busDisabled_noIndicator_evenWithTheApplicationsOwnBus() {
    runner
        .withPropertyValues("message-bus.enabled=false")
        .withBean(MessageBus.class, () -> MessageBus.builder().build())
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(MessageBusHealthIndicator.class);
            });
  }
}
