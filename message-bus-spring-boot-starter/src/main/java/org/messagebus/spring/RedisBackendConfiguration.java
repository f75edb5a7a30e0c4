// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import io.lettuce.core.RedisURI;
import java.util.Objects;
import org.messagebus.redis.RedisBackend;
import org.messagebus.spi.Backend;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The Redis backend, used when {@code message-bus.backend=redis}, {@code message-bus-redis} is on
 * the class path and the application defines no {@link Backend} bean: built from the {@code
 * message-bus.redis.*} properties and the common retention.
 *
 * <p>Where it connects: {@code message-bus.redis.url} when set; otherwise the application's Spring
 * Data Redis connection ({@code spring.data.redis.*}, or any {@code DataRedisConnectionDetails}
 * bean, e.g. from Testcontainers or Docker Compose) when {@code spring-boot-data-redis} is present;
 * otherwise {@value RedisBackend#DEFAULT_URI}. Connecting (Lettuce's handshake) is bounded by
 * {@code message-bus.redis.command-timeout} unless the URL sets {@code timeout=}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.messagebus.redis.RedisBackend")
@ConditionalOnMissingBean(Backend.class)
@ConditionalOnProperty(name = "message-bus.backend", havingValue = "redis")
@Import(RedisBackendConfiguration.BootConnection.class)
class RedisBackendConfiguration {

  @Bean
  RedisBackend messageBusRedisBackend(
      MessageBusProperties properties, ObjectProvider<RedisConnectionSource> bootConnection) {
    RedisBackendProperties r = properties.redis();
    RedisBackend.Builder b = RedisBackend.builder().retention(properties.toRetention());
    RedisConnectionSource boot = bootConnection.getIfAvailable();
    Settings.apply(
        "message-bus.redis.command-timeout",
        r.commandTimeout(),
        () -> b.commandTimeout(r.commandTimeout()));
    RedisURI uri;
    if (r.url() != null) {
      Settings.apply("message-bus.redis.url", Redaction.url(r.url()), () -> b.uri(r.url()));
      uri = RedisURI.create(r.url());
      if (!r.url().contains("timeout=")) {
        uri.setTimeout(r.commandTimeout());
      }
    } else {
      uri = boot != null ? boot.uri() : RedisURI.create(RedisBackend.DEFAULT_URI);
      uri.setTimeout(r.commandTimeout());
    }
    // Lettuce waits the URI's timeout (60 s unless the URI says) for a new connection to answer its
    // handshake; a Redis host that accepts connections and then stays silent would hold the
    // start-up
    // and every poll that long. The command timeout bounds it instead.
    b.uri(uri);
    Settings.apply(
        "message-bus.redis.max-in-memory-publish-backlog",
        r.maxInMemoryPublishBacklog(),
        () -> b.maxInMemoryPublishBacklog(r.maxInMemoryPublishBacklog()));
    Settings.apply(
        "message-bus.redis.retry-interval",
        r.retryInterval(),
        () -> b.retryInterval(r.retryInterval()));
    b.queueInMemory(r.queueInMemory());
    if (r.notificationChannel() != null) {
      Settings.apply(
          "message-bus.redis.notification-channel",
          r.notificationChannel(),
          () -> b.notificationChannel(r.notificationChannel()));
    }
    return b.build();
  }

  @Bean
  StartupLog.BackendDescription messageBusBackendDescription(
      RedisBackend backend,
      MessageBusProperties properties,
      ObjectProvider<RedisConnectionSource> bootConnection) {
    String url = properties.redis().url();
    RedisConnectionSource boot = bootConnection.getIfAvailable();
    String where;
    if (url != null) {
      where = StartupLog.redact(url);
    } else if (boot != null) {
      where = describe(boot.uri()) + " (spring.data.redis)";
    } else {
      where = RedisBackend.DEFAULT_URI;
    }
    String channel;
    try {
      channel = backend.notificationChannel();
    } catch (RuntimeException e) {
      channel = "the default channel";
    }
    return new StartupLog.BackendDescription(
        "redis " + where + " (notifications on " + channel + ")");
  }

  /**
   * A Lettuce URI as text (host, port, database; Sentinel nodes and master), without credentials.
   */
  static String describe(RedisURI u) {
    if (u.getSentinelMasterId() != null) {
      StringBuilder nodes = new StringBuilder();
      for (RedisURI n : u.getSentinels()) {
        nodes
            .append(nodes.length() == 0 ? "" : ",")
            .append(n.getHost())
            .append(':')
            .append(n.getPort());
      }
      return "redis-sentinel://" + nodes + "/" + u.getDatabase() + "#" + u.getSentinelMasterId();
    }
    return (u.isSsl() ? "rediss://" : "redis://")
        + u.getHost()
        + ":"
        + u.getPort()
        + "/"
        + u.getDatabase();
  }

  /** Where the application's own Redis connection points, as a Lettuce URI. */
  @FunctionalInterface
  interface RedisConnectionSource {
    RedisURI uri();
  }

  /**
   * Spring Boot's Redis connection ({@code DataRedisConnectionDetails}), when {@code
   * spring-boot-data-redis} is on the class path and has created one.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails")
  static class BootConnection {

    @Bean
    RedisConnectionSource messageBusBootRedisConnection(
        ObjectProvider<DataRedisConnectionDetails> details) {
      return () -> {
        DataRedisConnectionDetails d = details.getIfUnique();
        return d == null ? RedisURI.create(RedisBackend.DEFAULT_URI) : toUri(d);
      };
    }

    static RedisURI toUri(DataRedisConnectionDetails d) {
      if (d.getCluster() != null || d.getMasterReplica() != null) {
        throw new InvalidMessageBusPropertyException(
            "message-bus.redis.url",
            null,
            "the application's Redis connection (spring.data.redis.*) is a "
                + (d.getCluster() != null ? "Redis Cluster" : "master/replica setup")
                + ", which the bus does not support",
            "Set message-bus.redis.url to a standalone Redis (redis://host:port/db) or a"
                + " Sentinel-managed one (redis-sentinel://host:port/db#master).",
            null);
      }
      RedisURI.Builder b;
      DataRedisConnectionDetails.Sentinel s = d.getSentinel();
      if (s != null) {
        b = RedisURI.builder().withSentinelMasterId(s.getMaster()).withDatabase(s.getDatabase());
        for (DataRedisConnectionDetails.Node n : s.getNodes()) {
          if (s.getPassword() != null) {
            b.withSentinel(n.host(), n.port(), s.getPassword());
          } else {
            b.withSentinel(n.host(), n.port());
          }
        }
      } else {
        // neither cluster, master/replica nor Sentinel: Boot's details are standalone
        DataRedisConnectionDetails.Standalone st = Objects.requireNonNull(d.getStandalone());
        b =
            RedisURI.builder()
                .withHost(st.getHost())
                .withPort(st.getPort())
                .withDatabase(st.getDatabase());
      }
      if (d.getPassword() != null) {
        if (d.getUsername() != null) {
          b.withAuthentication(d.getUsername(), d.getPassword());
        } else {
          b.withPassword(d.getPassword().toCharArray());
        }
      }
      if (d.getSslBundle() != null) {
        // TLS with the JVM's trust store; a bundle's own trust material needs a Backend bean
        // built with a Lettuce client of the application's.
        b.withSsl(true);
      }
      return b.build();
    }
  }
}
