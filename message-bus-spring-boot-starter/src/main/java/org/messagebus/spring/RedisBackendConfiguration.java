package org.messagebus.spring;

import org.messagebus.redis.RedisBackend;
import org.messagebus.spi.Backend;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Redis backend, used when {@code message-bus.backend=redis}, {@code message-bus-redis} is on
 * the class path and the application defines no {@link Backend} bean: built from the {@code
 * message-bus.redis.*} properties and the common retention.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.messagebus.redis.RedisBackend")
@ConditionalOnMissingBean(Backend.class)
@ConditionalOnProperty(name = "message-bus.backend", havingValue = "redis")
class RedisBackendConfiguration {

  @Bean
  RedisBackend messageBusRedisBackend(MessageBusProperties properties) {
    RedisBackendProperties r = properties.redis();
    RedisBackend.Builder b = RedisBackend.builder().retention(properties.toRetention());
    Settings.apply("message-bus.redis.url", redact(r.url()), () -> b.uri(r.url()));
    Settings.apply(
        "message-bus.redis.max-in-memory-publish-backlog",
        r.maxInMemoryPublishBacklog(),
        () -> b.maxInMemoryPublishBacklog(r.maxInMemoryPublishBacklog()));
    Settings.apply(
        "message-bus.redis.command-timeout",
        r.commandTimeout(),
        () -> b.commandTimeout(r.commandTimeout()));
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

  private static String redact(String uri) {
    return uri == null ? null : uri.replaceAll("//[^@/]*@", "//***@");
  }
}
