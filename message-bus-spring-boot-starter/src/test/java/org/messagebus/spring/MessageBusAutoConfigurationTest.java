// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.ErrorListener;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.cache.DistributedCache;
import org.messagebus.cache.DistributedCacheManager;
import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;
import org.messagebus.spi.Retention;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Timeout(60)
class MessageBusAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(MessageBusAutoConfiguration.class));

  @Test
  void defaults_createBusOnMemoryBackend_withCoreDefaults() {
    runner.run(
        ctx -> {
          assertThat(ctx).hasSingleBean(MessageBus.class);
          assertThat(ctx).hasSingleBean(MemoryBackend.class);
          assertThat(ctx).hasSingleBean(DistributedCacheManager.class);
          MessageBus bus = ctx.getBean(MessageBus.class);
          assertThat(bus.backend()).isSameAs(ctx.getBean(MemoryBackend.class));
          assertThat(bus.backend().retention()).isEqualTo(Retention.DEFAULTS);
        });
  }

  @Test
  void propertyDefaults_equalTheBuilderDefaults() {
    MessageBusProperties p = MessageBusProperties.defaults();
    assertThat(p.toRetention()).isEqualTo(Retention.DEFAULTS);
    assertThat(p.enabled()).isTrue();
    assertThat(p.keepaliveInterval()).isEqualTo(MessageBus.DEFAULT_KEEPALIVE_INTERVAL);
    assertThat(p.memory().expiryInterval()).isEqualTo(MemoryBackend.DEFAULT_EXPIRY_INTERVAL);
    assertThat(p.backend()).isEqualTo("memory");
    // unset: Boot's spring.data.redis connection if any, else RedisBackend.DEFAULT_URI
    assertThat(p.redis().url()).isNull();
    assertThat(p.redis().maxInMemoryPublishBacklog())
        .isEqualTo(org.messagebus.redis.RedisBackend.DEFAULT_MAX_IN_MEMORY_PUBLISH_BACKLOG);
    assertThat(p.redis().commandTimeout())
        .isEqualTo(org.messagebus.redis.RedisBackend.DEFAULT_COMMAND_TIMEOUT);
    assertThat(p.postgres().url()).isNull();
    assertThat(p.postgres().tablePrefix()).isEmpty();
    assertThat(p.postgres().createSchema()).isTrue();
    assertThat(p.cache().enabled()).isTrue();
    assertThat(p.cache().publishQueueInMemory()).isTrue();
  }

  @Test
  void contextWithoutProperties_bindsTheDefaults() {
    runner.run(
        ctx ->
            assertThat(ctx.getBean(MessageBusProperties.class))
                .isEqualTo(MessageBusProperties.defaults()));
  }

  @Test
  void retentionProperties_reachTheBackend() {
    runner
        .withPropertyValues(
            "message-bus.retention.max-backlog-size=3",
            "message-bus.retention.max-global-backlog-size=10",
            "message-bus.retention.max-backlog-age=5m",
            "message-bus.retention.clear-every=2")
        .run(
            ctx ->
                assertThat(ctx.getBean(MessageBus.class).backend().retention())
                    .isEqualTo(new Retention(3, 10, Duration.ofMinutes(5), 2)));
  }

  @Test
  void maxBacklogSize_isHonouredByTheBus() {
    runner
        .withPropertyValues("message-bus.retention.max-backlog-size=2")
        .run(
            ctx -> {
              MessageBus bus = ctx.getBean(MessageBus.class);
              for (int i = 1; i <= 4; i++) {
                bus.publish("/trim", "m" + i);
              }
              assertThat(bus.backlog("/trim", 0))
                  .extracting(Message::data)
                  .containsExactly("m3", "m4");
            });
  }

  @Test
  void badProperty_failsStartup_namingTheProperty() {
    runner
        .withPropertyValues("message-bus.retention.max-backlog-size=0")
        .run(
            ctx -> assertThat(ctx).getFailure().rootCause().hasMessageContaining("maxBacklogSize"));
    runner
        .withPropertyValues("message-bus.retention.max-backlog-size=0")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("invalid message-bus.retention.max-backlog-size (0)"));
    runner
        .withPropertyValues("message-bus.keepalive-interval=-1s")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("invalid message-bus.keepalive-interval (PT-1S)"));
  }

  @Test
  void unknownBackendName_withoutBackendBean_failsWithAClearMessage() {
    runner
        .withPropertyValues("message-bus.backend=mongo")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx)
                  .getFailure()
                  .hasStackTraceContaining(
                      "invalid message-bus.backend (mongo): 'mongo' is not a MessageBus backend");
            });
  }

  @Test
  void applicationBackendBean_isUsed_andNoMemoryBackendIsCreated() {
    runner
        .withUserConfiguration(OwnBackend.class)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(Backend.class);
              assertThat(ctx.getBean(MessageBus.class).backend())
                  .isSameAs(ctx.getBean("ownBackend"));
            });
  }

  @Test
  void applicationBusBean_replacesOurs() {
    runner
        .withUserConfiguration(OwnBus.class)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx.getBean(MessageBus.class)).isSameAs(ctx.getBean("ownBus"));
              assertThat(ctx.getBean(DistributedCacheManager.class)).isNotNull();
            });
  }

  @Test
  void disabled_createsNothing() {
    runner
        .withPropertyValues("message-bus.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).doesNotHaveBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(Backend.class);
              assertThat(ctx).doesNotHaveBean(DistributedCacheManager.class);
            });
  }

  @Test
  void cacheDisabled_createsNoCacheManager() {
    runner
        .withPropertyValues("message-bus.cache.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(DistributedCacheManager.class);
            });
  }

  @Test
  void cacheProperties_reachTheManager_andItsCachesWork() {
    runner
        .withPropertyValues(
            "message-bus.cache.app-version=1.2", "message-bus.cache.publish-queue-in-memory=false")
        .run(
            ctx -> {
              DistributedCacheManager caches = ctx.getBean(DistributedCacheManager.class);
              assertThat(caches.appVersion()).isEqualTo("1.2");
              assertThat(caches.publishQueueInMemory()).isFalse();
              DistributedCache prices = caches.cache("prices");
              prices.put("apple", 3);
              assertThat(prices.get("apple")).isEqualTo(3);
            });
  }

  @Test
  void contextClose_closesBusAndBackend() {
    AtomicReference<MessageBus> bus = new AtomicReference<>();
    runner.run(ctx -> bus.set(ctx.getBean(MessageBus.class)));
    assertThat(bus.get().isClosed()).isTrue();
  }

  @Test
  void errorListenerBean_andCustomizers_areApplied() throws Exception {
    runner
        .withUserConfiguration(Hooks.class)
        .withPropertyValues("message-bus.keepalive-interval=0")
        .run(
            ctx -> {
              MessageBus bus = ctx.getBean(MessageBus.class);
              assertThat(bus.currentSiteId()).isEqualTo("site-1");
              bus.subscribe(
                  "/boom",
                  m -> {
                    throw new IllegalStateException("listener failed");
                  });
              bus.publish("/boom", "x");
              Throwable error = ctx.getBean(Hooks.class).errors.poll(10, TimeUnit.SECONDS);
              assertThat(error).hasMessage("listener failed");
            });
  }

  @Test
  void severalErrorListenerBeans_areAllTold_evenWhenOneThrows() {
    runner
        .withUserConfiguration(Hooks.class, MoreListeners.class)
        .withPropertyValues("message-bus.keepalive-interval=0")
        .run(
            ctx -> {
              MessageBus bus = ctx.getBean(MessageBus.class);
              bus.subscribe(
                  "/boom",
                  m -> {
                    throw new IllegalStateException("listener failed");
                  });
              bus.publish("/boom", "x");
              assertThat(ctx.getBean(Hooks.class).errors.poll(10, TimeUnit.SECONDS))
                  .hasMessage("listener failed");
              assertThat(ctx.getBean(MoreListeners.class).errors.poll(10, TimeUnit.SECONDS))
                  .hasMessage("listener failed");
            });
  }

  @Test
  void publishAndSubscribe_throughTheInjectedBus() {
    runner.run(
        ctx -> {
          MessageBus bus = ctx.getBean(MessageBus.class);
          BlockingQueue<Message> got = new ArrayBlockingQueue<>(10);
          bus.subscribe("/chat", got::add);
          long id = bus.publish("/chat", List.of("hi"));
          Message m = got.poll(10, TimeUnit.SECONDS);
          assertThat(m).isNotNull();
          assertThat(m.messageId()).isEqualTo(id);
          assertThat(m.data()).isEqualTo(List.of("hi"));
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBackend {
    @Bean
    Backend ownBackend() {
      return MemoryBackend.builder()
          .retention(Retention.builder().maxBacklogSize(7).build())
          .build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBus {
    @Bean(destroyMethod = "close")
    MessageBus ownBus() {
      return MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class MoreListeners {
    final BlockingQueue<Throwable> errors = new ArrayBlockingQueue<>(10);

    @Bean
    @org.springframework.core.annotation.Order(1)
    ErrorListener throwingListener() {
      return new ErrorListener() {
        @Override
        public void onListenerError(
            org.messagebus.Subscription subscription, Message message, Throwable error) {
          throw new IllegalStateException("error listener failed too");
        }
      };
    }

    @Bean
    @org.springframework.core.annotation.Order(2)
    ErrorListener recordingListener() {
      return new ErrorListener() {
        @Override
        public void onListenerError(
            org.messagebus.Subscription subscription, Message message, Throwable error) {
          errors.add(error);
        }
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Hooks {
    final BlockingQueue<Throwable> errors = new ArrayBlockingQueue<>(10);

    @Bean
    ErrorListener errorListener() {
      return new ErrorListener() {
        @Override
        public void onListenerError(
            org.messagebus.Subscription subscription, Message message, Throwable error) {
          errors.add(error);
        }
      };
    }

    @Bean
    MessageBusBuilderCustomizer site() {
      return b -> b.siteIdLookup(() -> "site-1");
    }
  }
}
