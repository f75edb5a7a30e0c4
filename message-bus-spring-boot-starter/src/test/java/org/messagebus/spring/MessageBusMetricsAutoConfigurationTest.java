// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.micrometer.HttpEngineMetrics;
import org.messagebus.micrometer.MessageBusMetrics;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The metrics auto-configuration: with a registry (Actuator's metrics support) the bus's meters are
 * bound; without Micrometer, without message-bus-micrometer or with the switch off, nothing is.
 */
@Timeout(60)
class MessageBusMetricsAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MessageBusAutoConfiguration.class,
                  MessageBusMetricsAutoConfiguration.class,
                  MetricsAutoConfiguration.class,
                  CompositeMeterRegistryAutoConfiguration.class,
                  SimpleMetricsExportAutoConfiguration.class))
          .withPropertyValues("message-bus.keepalive-interval=0");

  @Test
  void withARegistry_theBusIsBound_andPublishesAreCounted() {
    runner.run(
        ctx -> {
          assertThat(ctx).hasSingleBean(MessageBusMetrics.class);
          assertThat(ctx).doesNotHaveBean(HttpEngineMetrics.class); // not a web application
          MeterRegistry registry = ctx.getBean(MeterRegistry.class);
          ctx.getBean(MessageBus.class).publish("/a", "hello");
          assertThat(
                  registry
                      .get("messagebus.publishes")
                      .tags("backend", "memory", "outcome", "ok")
                      .functionCounter()
                      .count())
              .isEqualTo(1);
          assertThat(
                  registry
                      .get("messagebus.publish.duration")
                      .tags("backend", "memory", "outcome", "ok")
                      .timer()
                      .count())
              .isEqualTo(1); // the first publish is always timed
          assertThat(registry.get("messagebus.backend.state").gauge().value()).isEqualTo(1);
        });
  }

  @Test
  void dispatchLagSampleInterval_decidesHowManyOwnPublishesHaveTheirLagMeasured() {
    runner
        .withPropertyValues(
            "message-bus.metrics.dispatch-lag-sample-interval=0",
            "message-bus.metrics.publish-timing-sample-interval=0") // only timed ones have a lag
        .run(ctx -> assertThat(lagsMeasuredOf(ctx, 5)).isEqualTo(5));
    runner
        .withPropertyValues("message-bus.metrics.dispatch-lag-sample-interval=1h")
        .run(ctx -> assertThat(lagsMeasuredOf(ctx, 5)).isEqualTo(1));
  }

  @Test
  void aNegativeDispatchLagSampleInterval_failsTheStartNamingTheProperty() {
    runner
        .withPropertyValues("message-bus.metrics.dispatch-lag-sample-interval=-1s")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining(
                        "invalid message-bus.metrics.dispatch-lag-sample-interval (PT-1S)"));
  }

  @Test
  void publishTimingSampleInterval_decidesHowManyPublishesAreTimed() {
    runner
        .withPropertyValues("message-bus.metrics.publish-timing-sample-interval=0")
        .run(ctx -> assertThat(timedOf(ctx, 200)).isEqualTo(200));
    runner
        .withPropertyValues("message-bus.metrics.publish-timing-sample-interval=1h")
        .run(ctx -> assertThat(timedOf(ctx, 200)).isLessThan(200));
    runner
        .withPropertyValues("message-bus.metrics.publish-timing-sample-interval=-1s")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining(
                        "invalid message-bus.metrics.publish-timing-sample-interval (PT-1S)"));
  }

  /** Publishes {@code count} messages; returns how many were timed, checking all were counted. */
  private static long timedOf(org.springframework.context.ApplicationContext ctx, int count) {
    MessageBus bus = ctx.getBean(MessageBus.class);
    for (int i = 0; i < count; i++) {
      bus.publish("/timed", i);
    }
    MeterRegistry registry = ctx.getBean(MeterRegistry.class);
    assertThat(registry.get("messagebus.publishes").tag("outcome", "ok").functionCounter().count())
        .isEqualTo(count);
    return registry.get("messagebus.publish.duration").tag("outcome", "ok").timer().count();
  }

  /** Publishes {@code count} messages, waits for their dispatch, returns the lags measured. */
  private static long lagsMeasuredOf(
      org.springframework.context.ApplicationContext ctx, int count) {
    MessageBus bus = ctx.getBean(MessageBus.class);
    java.util.concurrent.BlockingQueue<Object> seen =
        new java.util.concurrent.LinkedBlockingQueue<>();
    bus.subscribe("/lag", m -> seen.add(m.data()));
    for (int i = 0; i < count; i++) {
      bus.publish("/lag", "m" + i);
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> seen.size() == count);
    MeterRegistry registry = ctx.getBean(MeterRegistry.class);
    return registry.get("messagebus.dispatch.lag").timer().count();
  }

  @Test
  void switchedOff_nothingIsBound() {
    runner
        .withPropertyValues("message-bus.metrics.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(MessageBusMetrics.class);
              assertThat(ctx.getBean(MeterRegistry.class).find("messagebus.publishes").meters())
                  .isEmpty();
            });
  }

  /** Only the starter's configurations: no Actuator, so no registry. */
  private final ApplicationContextRunner withoutActuator =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MessageBusAutoConfiguration.class, MessageBusMetricsAutoConfiguration.class))
          .withPropertyValues("message-bus.keepalive-interval=0");

  @Test
  void withoutARegistry_nothingIsBound_butTheBus() {
    withoutActuator.run(
        ctx -> {
          assertThat(ctx).hasSingleBean(MessageBus.class);
          assertThat(ctx).doesNotHaveBean(MeterRegistry.class);
          assertThat(ctx).doesNotHaveBean(MessageBusMetrics.class);
        });
  }

  @Test
  void withoutMicrometer_nothingIsBound_butTheBus() {
    withoutActuator
        .withClassLoader(new FilteredClassLoader("io.micrometer"))
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(MessageBusMetrics.class);
            });
  }

  @Test
  void withoutMessageBusMicrometer_nothingIsBound_butTheBus() {
    runner
        .withClassLoader(new FilteredClassLoader(MessageBusMetrics.class))
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).hasSingleBean(MeterRegistry.class);
              assertThat(ctx).doesNotHaveBean(MessageBusMetrics.class);
            });
  }

  @Test
  void theApplicationsOwnBinder_wins() {
    runner
        .withBean(
            "mine",
            MessageBusMetrics.class,
            () -> new MessageBusMetrics(MessageBus.builder().build(), java.util.List.of()))
        .run(ctx -> assertThat(ctx).hasSingleBean(MessageBusMetrics.class).hasBean("mine"));
  }
}
