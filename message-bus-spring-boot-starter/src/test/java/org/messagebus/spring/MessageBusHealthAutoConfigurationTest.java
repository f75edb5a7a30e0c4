// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.spi.Backend;
import org.messagebus.spi.BackendStateTracker;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
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

  @Test
  void disconnectedBackend_isDownAtOnce_withTheReason_andUnknownBeforeFirstUse() {
    StateReportingBackend backend = new StateReportingBackend();
    runner
        .withBean(Backend.class, () -> backend.backend)
        .run(
            ctx -> {
              MessageBusHealthIndicator indicator = ctx.getBean(MessageBusHealthIndicator.class);
              Health before = indicator.health();
              assertThat(before.getStatus()).isEqualTo(Status.UNKNOWN);
              assertThat(before.getDetails()).containsEntry("backendState", "UNKNOWN");

              backend.tracker.down("link", new IllegalStateException("connection refused"));
              Health down = indicator.health();
              assertThat(down.getStatus()).isEqualTo(Status.DOWN);
              assertThat(down.getDetails())
                  .containsEntry("backendState", "DISCONNECTED")
                  .containsEntry("reason", "backend disconnected: connection refused");

              backend.tracker.up("link");
              Health up = indicator.health();
              assertThat(up.getStatus()).isEqualTo(Status.UP);
              assertThat(up.getDetails()).containsEntry("backendState", "CONNECTED");
            });
  }

  private final ApplicationContextRunner withEndpoint =
      runner
          .withConfiguration(
              AutoConfigurations.of(
                  ApplicationAvailabilityAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class,
                  HealthContributorRegistryAutoConfiguration.class,
                  HealthEndpointAutoConfiguration.class,
                  AvailabilityProbesAutoConfiguration.class))
          .withPropertyValues("management.endpoint.health.probes.enabled=true");

  @Test
  void probes_busIsInReadiness_andNeverInLiveness() {
    withEndpoint.run(
        ctx -> {
          HealthEndpointGroups groups = ctx.getBean(HealthEndpointGroups.class);
          assertThat(groups.get("readiness").isMember("messageBus")).isTrue();
          assertThat(groups.get("readiness").isMember("readinessState")).isTrue();
          assertThat(groups.get("liveness").isMember("messageBus")).isFalse();
          assertThat(groups.get("liveness").isMember("livenessState")).isTrue();
          assertThat(groups.getPrimary().isMember("messageBus")).isTrue();
        });
  }

  @Test
  void livenessIncludingEverything_stillLeavesTheBusOut() {
    withEndpoint
        .withPropertyValues(
            "management.endpoint.health.group.liveness.include=*",
            "management.endpoint.health.group.readiness.include=readinessState")
        .run(
            ctx -> {
              HealthEndpointGroups groups = ctx.getBean(HealthEndpointGroups.class);
              assertThat(groups.get("liveness").isMember("messageBus")).isFalse();
              assertThat(groups.get("liveness").isMember("diskSpace")).isTrue();
              assertThat(groups.get("readiness").isMember("messageBus")).isTrue();
            });
  }

  @Test
  void readinessExclude_keepsTheBusOutOfReadiness() {
    withEndpoint
        .withPropertyValues("management.endpoint.health.group.readiness.exclude=messageBus")
        .run(
            ctx ->
                assertThat(
                        ctx.getBean(HealthEndpointGroups.class)
                            .get("readiness")
                            .isMember("messageBus"))
                    .isFalse());
  }

  @Test
  void withoutProbes_noGroupIsAdded() {
    withEndpoint
        .withPropertyValues("management.endpoint.health.probes.enabled=false")
        .run(
            ctx -> {
              HealthEndpointGroups groups = ctx.getBean(HealthEndpointGroups.class);
              assertThat(groups.getNames()).doesNotContain("readiness", "liveness");
              assertThat(groups.getPrimary().isMember("messageBus")).isTrue();
            });
  }

  /** A memory backend that reports its connection state as the Redis and PostgreSQL ones do. */
  static final class StateReportingBackend {
    final BackendStateTracker tracker = new BackendStateTracker();
    final Backend backend;

    StateReportingBackend() {
      org.messagebus.memory.MemoryBackend memory =
          org.messagebus.memory.MemoryBackend.builder().build();
      backend =
          (Backend)
              java.lang.reflect.Proxy.newProxyInstance(
                  Backend.class.getClassLoader(),
                  new Class<?>[] {Backend.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("stateListener")) {
                      tracker.listener((org.messagebus.BackendStateListener) args[0]);
                      return null;
                    }
                    try {
                      return method.invoke(memory, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
    }
  }
}
