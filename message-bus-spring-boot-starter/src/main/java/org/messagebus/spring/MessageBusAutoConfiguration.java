// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import java.util.List;
import org.messagebus.ErrorListener;
import org.messagebus.MessageBus;
import org.messagebus.TransportCodec;
import org.messagebus.cache.DistributedCacheManager;
import org.messagebus.spi.Backend;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Auto-configures a {@link MessageBus} from the {@code message-bus.*} properties ({@link
 * MessageBusProperties}), closed when the context closes, and a {@link DistributedCacheManager} on
 * it. Every bean backs off when the application defines its own; {@code message-bus.enabled=false}
 * turns everything off.
 *
 * <p>The backend is the application's {@link Backend} bean if it defines one. Otherwise one
 * configuration per backend, each conditional on {@code message-bus.backend} (and on its module
 * being present), contributes one; the memory backend ({@link MemoryBackendConfiguration}) is the
 * default. The bus owns its backend and closes it on close.
 *
 * <p>Also taken from the context when present: every {@link ErrorListener} bean, a {@link
 * TransportCodec} bean, and every {@link MessageBusBuilderCustomizer} bean (applied last). Without
 * a codec bean of the application's, the application's JSON mapper (Jackson 3 {@code JsonMapper},
 * else Jackson 2 {@code ObjectMapper}) writes the message data ({@link
 * ApplicationJsonCodecConfiguration}); the envelope and the HTTP wire stay the bus's.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
      "org.springframework.boot.jackson2.autoconfigure.Jackson2AutoConfiguration"
    })
@ConditionalOnBooleanProperty(name = "message-bus.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MessageBusProperties.class)
@Import({
  ApplicationJsonCodecConfiguration.class,
  MemoryBackendConfiguration.class,
  RedisBackendConfiguration.class,
  PostgresBackendConfiguration.class
})
public final class MessageBusAutoConfiguration {

  /** Creates the auto-configuration (called by Spring). */
  public MessageBusAutoConfiguration() {}

  /**
   * The bus.
   *
   * @param properties the {@code message-bus.*} properties
   * @param backend the backend bean
   * @param errorListener error listener beans; each is told, in order
   * @param codec the application's codec bean, else the one writing data with the application's
   *     JSON mapper, if any
   * @param customizers builder customizers, applied in order
   * @param context the context (its class loader tells which backend modules are present)
   * @return the bus; Spring closes it when the context closes
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public MessageBus messageBus(
      MessageBusProperties properties,
      ObjectProvider<Backend> backend,
      ObjectProvider<ErrorListener> errorListener,
      ObjectProvider<TransportCodec> codec,
      ObjectProvider<MessageBusBuilderCustomizer> customizers,
      ApplicationContext context) {
    Backend chosen = backend.getIfAvailable();
    if (chosen == null) {
      throw BackendChoice.notAvailable(properties.backend(), context.getClassLoader());
    }
    MessageBus.Builder b = MessageBus.builder().backend(chosen);
    Settings.apply(
        "message-bus.keepalive-interval",
        properties.keepaliveInterval(),
        () -> b.keepaliveInterval(properties.keepaliveInterval()));
    Duration lagSample = properties.metrics().dispatchLagSampleInterval();
    Settings.apply(
        "message-bus.metrics.dispatch-lag-sample-interval",
        lagSample,
        () -> b.dispatchLagSampleInterval(lagSample));
    Duration timingSample = properties.metrics().publishTimingSampleInterval();
    Settings.apply(
        "message-bus.metrics.publish-timing-sample-interval",
        timingSample,
        () -> b.publishTimingSampleInterval(timingSample));
    List<ErrorListener> listeners = errorListener.orderedStream().toList();
    if (listeners.size() == 1) {
      b.errorListener(listeners.get(0));
    } else if (listeners.size() > 1) {
      b.errorListener(new CompositeErrorListener(listeners));
    }
    codec.ifAvailable(b::codec);
    customizers.orderedStream().forEach(c -> c.customize(b));
    return b.build();
  }

  /**
   * Logs the startup line (backend, endpoint, site lookup) at INFO once every bean exists.
   *
   * @param bus the bus
   * @param backend what the backend configuration says about its backend, if one built it
   * @param endpoint what the servlet configuration says about the endpoint, if registered
   * @return the logger bean
   */
  @Bean
  static SmartInitializingSingleton messageBusStartupLog(
      ObjectProvider<MessageBus> bus,
      ObjectProvider<StartupLog.BackendDescription> backend,
      ObjectProvider<StartupLog.EndpointDescription> endpoint) {
    return new StartupLog(bus, backend, endpoint);
  }

  /**
   * The distributed cache manager; it subscribes when its first cache is created.
   *
   * @param bus the bus
   * @param properties the {@code message-bus.cache.*} properties
   * @return the manager; Spring closes it when the context closes
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "message-bus.cache.enabled", matchIfMissing = true)
  public DistributedCacheManager messageBusCacheManager(
      MessageBus bus, MessageBusProperties properties) {
    CacheManagerProperties c = properties.cache();
    DistributedCacheManager.Builder b = DistributedCacheManager.builder(bus);
    Settings.apply(
        "message-bus.cache.app-version", c.appVersion(), () -> b.appVersion(c.appVersion()));
    b.publishQueueInMemory(c.publishQueueInMemory());
    return b.build();
  }
}
