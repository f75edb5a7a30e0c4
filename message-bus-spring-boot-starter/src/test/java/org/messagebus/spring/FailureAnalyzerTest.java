// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.messagebus.redis.RedisBackend;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A bad {@code message-bus.*} value fails the start-up with Spring Boot's "APPLICATION FAILED TO
 * START" report naming the property, the value and the fix ({@link MessageBusFailureAnalyzer}).
 */
@Timeout(60)
@ExtendWith(OutputCaptureExtension.class)
class FailureAnalyzerTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MessageBusAutoConfiguration.class))
          .withPropertyValues("message-bus.keepalive-interval=0");

  @Test
  void negativeSize_namesPropertyValueReason_andTheDefault() {
    FailureAnalysis a = analyze(runner, "message-bus.retention.max-backlog-size=-1");
    assertThat(a.getDescription())
        .isEqualTo(
            "Invalid value for the property 'message-bus.retention.max-backlog-size': '-1'\n\n"
                + "Reason: maxBacklogSize must be at least 1: -1");
    assertThat(a.getAction())
        .isEqualTo(
            "Change message-bus.retention.max-backlog-size in your application's configuration"
                + " to a value that fits (maxBacklogSize must be at least 1: -1), or remove it to"
                + " use the default (1000).");
  }

  @Test
  void negativeDuration_namesTheDefaultAsWritten() {
    FailureAnalysis a = analyze(runner, "message-bus.keepalive-interval=-5s");
    assertThat(a.getDescription())
        .startsWith("Invalid value for the property 'message-bus.keepalive-interval': 'PT-5S'");
    assertThat(a.getAction()).endsWith("or remove it to use the default (60s).");
  }

  @Test
  void malformedRedisUri_namesTheProperty_withThePasswordRedacted() {
    FailureAnalysis a =
        analyze(
            runner,
            "message-bus.backend=redis",
            "message-bus.redis.url=http://:s3cret@127.0.0.1:6379/0");
    assertThat(a.getDescription())
        .startsWith("Invalid value for the property 'message-bus.redis.url': 'http://***@")
        .contains("Reason: uri is not a valid Redis URI")
        .doesNotContain("s3cret");
    assertThat(a.getAction())
        .isEqualTo(
            "Change message-bus.redis.url in your application's configuration to a value that"
                + " fits ("
                + a.getDescription().substring(a.getDescription().indexOf("Reason: ") + 8)
                + ").");
  }

  @Test
  void postgresUrlWithUserInfo_missingItsJdbcPrefix_isReportedWithTheCredentialsRedacted() {
    FailureAnalysis a =
        analyze(
            runner,
            "message-bus.backend=postgres",
            "message-bus.postgres.url=postgresql://app:s3cr/et@db.local:5432/app?sslpassword=k3y");
    assertThat(a.getDescription())
        .startsWith(
            "Invalid value for the property 'message-bus.postgres.url':"
                + " 'postgresql://***@db.local:5432/app?sslpassword=***'")
        .contains("Reason: jdbcUrl must start with jdbc:postgresql:")
        .doesNotContain("s3cr")
        .doesNotContain("k3y");
    assertThat(a.getAction()).doesNotContain("s3cr").doesNotContain("k3y");
  }

  @Test
  void badHttpSize_inAWebApplication() {
    FailureAnalysis a =
        analyze(
            new WebApplicationContextRunner()
                .withConfiguration(
                    AutoConfigurations.of(
                        MessageBusAutoConfiguration.class,
                        MessageBusServletAutoConfiguration.class))
                .withPropertyValues("message-bus.keepalive-interval=0"),
            "message-bus.http.max-body-size=3GB");
    assertThat(a.getDescription())
        .isEqualTo(
            "Invalid value for the property 'message-bus.http.max-body-size': '3221225472B'\n\n"
                + "Reason: maxBodyBytes must be below 2 GB: 3221225472");
    assertThat(a.getAction()).endsWith("use the default (64KB).");
  }

  @Test
  void badTablePrefix_saysTheDefaultIsEmpty() {
    FailureAnalysis a =
        analyze(
            runner.withBean(javax.sql.DataSource.class, org.postgresql.ds.PGSimpleDataSource::new),
            "message-bus.backend=postgres",
            "message-bus.postgres.table-prefix=Bad-Prefix");
    assertThat(a.getDescription())
        .startsWith("Invalid value for the property 'message-bus.postgres.table-prefix'");
    assertThat(a.getAction()).endsWith("use the default (empty).");
  }

  @Test
  void unknownBackend_listsTheValidValues_andTheArtifactOfEach() {
    FailureAnalysis a = analyze(runner, "message-bus.backend=mongo");
    assertThat(a.getDescription())
        .isEqualTo(
            "Invalid value for the property 'message-bus.backend': 'mongo'\n\n"
                + "Reason: 'mongo' is not a MessageBus backend");
    assertThat(a.getAction())
        .isEqualTo(
            "Define a bean of type org.messagebus.spi.Backend for your own store, or set"
                + " message-bus.backend to one of:\n"
                + "    memory   built in (one process only) (present)\n"
                + "    redis    needs org.messagebus:message-bus-redis (present)\n"
                + "    postgres needs org.messagebus:message-bus-postgres (present)");
  }

  @Test
  void knownBackend_whoseModuleIsMissing_namesTheArtifactToAdd() {
    FailureAnalysis a =
        analyze(
            runner.withClassLoader(new FilteredClassLoader(RedisBackend.class)),
            "message-bus.backend=redis");
    assertThat(a.getDescription())
        .isEqualTo(
            "Invalid value for the property 'message-bus.backend': 'redis'\n\n"
                + "Reason: the redis backend needs org.messagebus:message-bus-redis, which is not"
                + " on the class path (no Backend bean was created)");
    assertThat(a.getAction())
        .startsWith(
            "Add the dependency org.messagebus:message-bus-redis (version from"
                + " org.messagebus:message-bus-bom), or set message-bus.backend to one of:")
        .contains("    redis    needs org.messagebus:message-bus-redis (missing)");
  }

  @Test
  void postgresWithoutDatabase_saysHowToGiveItOne() {
    FailureAnalysis a = analyze(runner, "message-bus.backend=postgres");
    assertThat(a.getDescription())
        .isEqualTo(
            "Invalid value for the property 'message-bus.postgres.url': (not set)\n\n"
                + "Reason: message-bus.backend=postgres needs a database: message-bus.postgres.url"
                + " is not set and there is no single DataSource bean");
    assertThat(a.getAction())
        .contains("spring-boot-starter-jdbc")
        .contains("spring.datasource.url");
  }

  @Test
  void startup_printsApplicationFailedToStart_withTheAnalysis(CapturedOutput output) {
    SpringApplication app = new SpringApplication(EndToEndContract.App.class);
    assertThatThrownBy(
            () ->
                app.run(
                    "--server.port=0",
                    "--server.address=127.0.0.1",
                    "--message-bus.keepalive-interval=0",
                    "--message-bus.http.max-channels=0"))
        .isNotNull();
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("Invalid value for the property 'message-bus.http.max-channels': '0'")
        .contains("Reason: maxChannels must be at least 1: 0")
        .contains("or remove it to use the default (1000).");
  }

  @Test
  void unconvertibleDuration_isReportedByBootsBindAnalyzer(CapturedOutput output) {
    SpringApplication app = new SpringApplication(NonWeb.class);
    assertThatThrownBy(
            () ->
                app.run(
                    "--spring.main.web-application-type=none",
                    "--message-bus.keepalive-interval=soon"))
        .isNotNull();
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("message-bus.keepalive-interval")
        .contains("soon");
  }

  private static FailureAnalysis analyze(
      org.springframework.boot.test.context.runner.AbstractApplicationContextRunner<?, ?, ?> runner,
      String... properties) {
    FailureAnalysis[] result = new FailureAnalysis[1];
    runner
        .withPropertyValues(properties)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              result[0] = new MessageBusFailureAnalyzer().analyze(ctx.getStartupFailure());
            });
    assertThat(result[0]).as("analysis").isNotNull();
    return result[0];
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class NonWeb {}
}
