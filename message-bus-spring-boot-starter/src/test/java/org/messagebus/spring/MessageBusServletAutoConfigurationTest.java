// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.MessageBus;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.observe.BusObserver;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusFilter;
import org.messagebus.servlet.MiddlewareErrorHandler;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.mock.web.MockHttpServletRequest;

@Timeout(60)
class MessageBusServletAutoConfigurationTest {

  private static final AutoConfigurations BOTH =
      AutoConfigurations.of(
          MessageBusAutoConfiguration.class, MessageBusServletAutoConfiguration.class);

  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(BOTH)
          .withPropertyValues("message-bus.keepalive-interval=0");

  @Test
  @SuppressWarnings("unchecked")
  void servletApp_registersAsyncFilterOnTheBaseRoute() {
    web.run(
        ctx -> {
          assertThat(ctx).hasSingleBean(MessageBusFilter.class);
          FilterRegistrationBean<MessageBusFilter> reg =
              ctx.getBean(
                  MessageBusServletAutoConfiguration.REGISTRATION_BEAN,
                  FilterRegistrationBean.class);
          assertThat(reg.getFilter()).isSameAs(ctx.getBean(MessageBusFilter.class));
          assertThat(reg.isAsyncSupported()).isTrue();
          assertThat(reg.getUrlPatterns()).containsExactly("/message-bus/*");
          assertThat(reg.getOrder()).isZero();
          assertThat(ctx.getBean(MessageBusFilter.class).isListening()).isTrue();
        });
  }

  @Test
  @SuppressWarnings("unchecked")
  void httpProperties_mapToTransportOptions_andRegistration() {
    web.withPropertyValues(
            "message-bus.http.base-route=api//v1",
            "message-bus.http.long-polling-enabled=false",
            "message-bus.http.long-polling-interval=7s",
            "message-bus.http.long-polling-min-hold=20s",
            "message-bus.http.sse-max-duration=90s",
            "message-bus.http.sse-min-duration=1m",
            "message-bus.http.chunked-encoding-enabled=false",
            "message-bus.http.max-active-clients=5",
            "message-bus.http.allow-broadcast=true",
            "message-bus.http.max-body-size=2KB",
            "message-bus.http.max-channels=9",
            "message-bus.http.max-client-id-length=11",
            "message-bus.http.filter-order=-5")
        .run(
            ctx -> {
              HttpTransportOptions o = ctx.getBean(HttpTransportOptions.class);
              assertThat(o.baseRoute()).isEqualTo("/api/v1/");
              assertThat(o.longPollingEnabled()).isFalse();
              assertThat(o.longPollingInterval()).isEqualTo(Duration.ofSeconds(7));
              assertThat(o.longPollingMinHold()).isEqualTo(Duration.ofSeconds(20));
              assertThat(o.sseMaxDuration()).isEqualTo(Duration.ofSeconds(90));
              assertThat(o.sseMinDuration()).isEqualTo(Duration.ofMinutes(1));
              assertThat(o.chunkedEncodingEnabled()).isFalse();
              assertThat(o.maxActiveClients()).isEqualTo(5);
              assertThat(o.allowBroadcast()).isTrue();
              assertThat(o.maxBodyBytes()).isEqualTo(2048);
              assertThat(o.maxChannels()).isEqualTo(9);
              assertThat(o.maxClientIdLength()).isEqualTo(11);
              FilterRegistrationBean<MessageBusFilter> reg =
                  ctx.getBean(
                      MessageBusServletAutoConfiguration.REGISTRATION_BEAN,
                      FilterRegistrationBean.class);
              assertThat(reg.getUrlPatterns()).containsExactly("/api/v1/message-bus/*");
              assertThat(reg.getOrder()).isEqualTo(-5);
            });
  }

  @Test
  @SuppressWarnings("unchecked")
  void drainFilter_isMappedLikeTheEndpoint_justBeforeIt_andPassesRequestsOnUntilDraining() {
    web.withPropertyValues("message-bus.http.base-route=/api/", "message-bus.http.filter-order=10")
        .run(
            ctx -> {
              FilterRegistrationBean<MessageBusDrain> drain =
                  ctx.getBean(
                      MessageBusServletAutoConfiguration.DRAIN_REGISTRATION_BEAN,
                      FilterRegistrationBean.class);
              assertThat(drain.getFilter()).isSameAs(ctx.getBean(MessageBusDrain.class));
              assertThat(drain.getUrlPatterns()).containsExactly("/api/message-bus/*");
              assertThat(drain.isAsyncSupported()).isTrue();
              assertThat(drain.getOrder()).isEqualTo(9);
              MessageBusDrain d = ctx.getBean(MessageBusDrain.class);
              assertThat(d.isDraining()).isFalse();
              d.drain();
              d.drain(); // idempotent
              assertThat(d.isDraining()).isTrue();
              assertThat(ctx.getBean(MessageBusFilter.class).isListening()).isFalse();
            });
  }

  @Test
  void httpPropertyDefaults_equalTheBuilderDefaults() {
    web.run(
        ctx -> {
          HttpTransportOptions o = ctx.getBean(HttpTransportOptions.class);
          HttpTransportOptions d = HttpTransportOptions.defaults();
          assertThat(o.baseRoute()).isEqualTo(d.baseRoute());
          assertThat(o.longPollingEnabled()).isEqualTo(d.longPollingEnabled());
          assertThat(o.longPollingInterval()).isEqualTo(d.longPollingInterval());
          assertThat(o.sseMaxDuration()).isEqualTo(d.sseMaxDuration());
          assertThat(o.sseMinDuration()).isEqualTo(d.sseMinDuration());
          assertThat(o.chunkedEncodingEnabled()).isEqualTo(d.chunkedEncodingEnabled());
          assertThat(o.maxActiveClients()).isEqualTo(d.maxActiveClients());
          assertThat(o.allowBroadcast()).isEqualTo(d.allowBroadcast());
          assertThat(o.maxBodyBytes()).isEqualTo(d.maxBodyBytes());
          assertThat(o.maxChannels()).isEqualTo(d.maxChannels());
          assertThat(o.maxClientIdLength()).isEqualTo(d.maxClientIdLength());
          assertThat(o.userIdLookup()).isNull();
          assertThat(o.onMiddlewareError()).isNull();
        });
  }

  @Test
  void badHttpProperty_failsStartup_namingTheProperty() {
    web.withPropertyValues("message-bus.http.max-channels=0")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("invalid message-bus.http.max-channels (0)"));
    web.withPropertyValues("message-bus.http.max-body-size=3GB")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining(
                        "invalid message-bus.http.max-body-size (3221225472B): maxBodyBytes must be below 2 GB"));
    web.withPropertyValues("message-bus.http.sse-min-duration=6m")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining(
                        "invalid message-bus.http.sse-min-duration (PT6M): sseMinDuration (PT6M)"
                            + " must not be above sseMaxDuration (PT5M)"));
  }

  @Test
  void lookupBeans_andCustomizers_reachTheOptions() {
    web.withUserConfiguration(Lookups.class)
        .run(
            ctx -> {
              HttpTransportOptions o = ctx.getBean(HttpTransportOptions.class);
              MockHttpServletRequest req = new MockHttpServletRequest();
              req.addHeader("X-User", "42");
              assertThat(o.userIdLookup().apply(req)).isEqualTo("42");
              assertThat(o.groupIdsLookup().apply(req)).isEqualTo(List.of(1, 2));
              assertThat(o.siteIdLookup().apply(req)).isEqualTo("site-a");
              assertThat(o.extraResponseHeadersLookup().apply(req))
                  .isEqualTo(Map.of("Access-Control-Allow-Origin", "*"));
              assertThat(o.onMiddlewareError()).isSameAs(ctx.getBean(MiddlewareErrorHandler.class));
              assertThat(o.isAdminLookup().test(req)).isFalse();
              req.addHeader("X-Admin", "yes");
              assertThat(o.isAdminLookup().test(req)).isTrue();
              // customizers run after the properties, in order
              assertThat(o.maxChannels()).isEqualTo(2);
            });
  }

  @Test
  void dashboardEnabled_defaultsOn_andFalseLeavesTheBusUnobserved() {
    web.withUserConfiguration(Lookups.class)
        .run(
            ctx -> {
              assertThat(ctx.getBean(HttpTransportOptions.class).dashboardEnabled()).isTrue();
              assertThat(ctx.getBean(MessageBus.class).observer()).isNotSameAs(BusObserver.NOOP);
            });
    web.withUserConfiguration(Lookups.class)
        .withPropertyValues("message-bus.http.dashboard-enabled=false")
        .run(
            ctx -> {
              assertThat(ctx.getBean(HttpTransportOptions.class).dashboardEnabled()).isFalse();
              assertThat(ctx.getBean(MessageBusFilter.class).isListening()).isTrue();
              // the endpoint is there, the dashboard's observer is not
              assertThat(ctx.getBean(MessageBus.class).observer()).isSameAs(BusObserver.NOOP);
            });
  }

  @Test
  void applicationOptionsBean_replacesOurs() {
    web.withUserConfiguration(OwnOptions.class)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(HttpTransportOptions.class);
              assertThat(ctx.getBean(HttpTransportOptions.class).maxChannels()).isEqualTo(3);
            });
  }

  @Test
  void nonWebApplication_getsTheBusButNoEndpoint() {
    new ApplicationContextRunner()
        .withConfiguration(BOTH)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(MessageBusFilter.class);
              assertThat(ctx).doesNotHaveBean(HttpTransportOptions.class);
            });
  }

  @Test
  void webSocket_isOffByDefault() {
    web.run(
        ctx -> {
          assertThat(ctx).doesNotHaveBean(WebSocketOptions.class);
          assertThat(ctx.getBean(MessageBusFilter.class).webSockets()).isNull();
        });
  }

  @Test
  void webSocketProperties_mapToWebSocketOptions_onTheFilter() {
    web.withPropertyValues(
            "message-bus.websocket.enabled=true",
            "message-bus.websocket.allowed-origins=https://App.example.com:443,http://localhost:8080",
            "message-bus.websocket.ping-interval=5s",
            "message-bus.websocket.max-queued-size=1MB",
            "message-bus.websocket.max-frame-size=8KB")
        .run(
            ctx -> {
              WebSocketOptions ws = ctx.getBean(WebSocketOptions.class);
              assertThat(ws.allowedOrigins())
                  .containsExactly("https://app.example.com", "http://localhost:8080");
              assertThat(ws.pingInterval()).isEqualTo(Duration.ofSeconds(5));
              assertThat(ws.maxQueuedBytes()).isEqualTo(1024 * 1024);
              assertThat(ws.maxFrameBytes()).isEqualTo(8 * 1024);
              assertThat(ctx.getBean(MessageBusFilter.class).webSockets().options()).isSameAs(ws);
            });
  }

  @Test
  void webSocketEnabled_withDefaults_allowsTheSameOriginOnly() {
    web.withPropertyValues("message-bus.websocket.enabled=true")
        .run(
            ctx -> {
              WebSocketOptions ws = ctx.getBean(WebSocketOptions.class);
              assertThat(ws.allowedOrigins()).isEmpty();
              assertThat(ws.pingInterval()).isEqualTo(WebSocketOptions.DEFAULT_PING_INTERVAL);
              assertThat(ws.maxQueuedBytes()).isEqualTo(WebSocketOptions.DEFAULT_MAX_QUEUED_BYTES);
              assertThat(ws.maxFrameBytes()).isEqualTo(WebSocketOptions.DEFAULT_MAX_FRAME_BYTES);
            });
  }

  @Test
  void badWebSocketProperty_failsTheStartNamingIt() {
    web.withPropertyValues(
            "message-bus.websocket.enabled=true",
            "message-bus.websocket.allowed-origins=example.com")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx)
                  .getFailure()
                  .hasStackTraceContaining("invalid message-bus.websocket.allowed-origins");
            });
    web.withPropertyValues(
            "message-bus.websocket.enabled=true", "message-bus.websocket.max-frame-size=32MB")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx)
                  .getFailure()
                  .hasStackTraceContaining("invalid message-bus.websocket.max-frame-size");
            });
  }

  @Test
  void webSocketEnabled_withoutTheJakartaWebSocketApi_stillStarts_andAnUpgradeGets501() {
    web.withClassLoader(new FilteredClassLoader("jakarta.websocket."))
        .withPropertyValues("message-bus.websocket.enabled=true")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              MessageBusFilter filter = ctx.getBean(MessageBusFilter.class);
              assertThat(filter.webSockets()).isNotNull();
              assertThat(filter.isListening()).isTrue();
              // no container here published a ServerContainer: the client is told to poll
              MockHttpServletRequest upgrade =
                  new MockHttpServletRequest("GET", "/message-bus/c1/ws");
              upgrade.setServletPath("/message-bus/c1/ws");
              upgrade.addHeader("Upgrade", "websocket");
              upgrade.addHeader("Connection", "Upgrade");
              org.springframework.mock.web.MockHttpServletResponse response =
                  new org.springframework.mock.web.MockHttpServletResponse();
              filter.doFilter(
                  upgrade, response, new org.springframework.mock.web.MockFilterChain());
              assertThat(response.getStatus()).isEqualTo(501);
            });
  }

  @Test
  void withoutServletModule_getsTheBusButNoEndpoint() {
    web.withClassLoader(new FilteredClassLoader(MessageBusFilter.class))
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(MessageBusServletAutoConfiguration.class);
              assertThat(ctx).doesNotHaveBean(MessageBusServletAutoConfiguration.REGISTRATION_BEAN);
            });
  }

  @Test
  void httpDisabled_keepsTheBus_dropsTheEndpoint() {
    web.withPropertyValues("message-bus.http.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(MessageBusFilter.class);
              assertThat(ctx).doesNotHaveBean(MessageBusServletAutoConfiguration.REGISTRATION_BEAN);
            });
  }

  @Test
  void allDisabled_noEndpointEvenWithTheApplicationsOwnBus() {
    web.withPropertyValues("message-bus.enabled=false")
        .withUserConfiguration(OwnBus.class)
        .run(
            ctx -> {
              assertThat(ctx).hasSingleBean(MessageBus.class);
              assertThat(ctx).doesNotHaveBean(MessageBusFilter.class);
            });
  }

  @Test
  void contextClose_closesTheFilter() {
    web.run(
        ctx -> {
          MessageBusFilter filter = ctx.getBean(MessageBusFilter.class);
          ctx.close();
          assertThat(filter.isListening()).isFalse();
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class Lookups {
    @Bean
    MessageBusUserIdLookup userIdLookup() {
      return req -> req.getHeader("X-User");
    }

    @Bean
    MessageBusGroupIdsLookup groupIdsLookup() {
      return req -> List.of(1, 2);
    }

    @Bean
    MessageBusSiteIdLookup siteIdLookup() {
      return req -> "site-a";
    }

    @Bean
    MessageBusExtraHeadersLookup extraHeadersLookup() {
      return req -> Map.of("Access-Control-Allow-Origin", "*");
    }

    @Bean
    MessageBusIsAdminLookup isAdminLookup() {
      return req -> req.getHeader("X-Admin") != null;
    }

    @Bean
    MiddlewareErrorHandler errorHandler() {
      return (req, e) -> new MiddlewareErrorHandler.ErrorResponse(418, "teapot");
    }

    @Bean
    @Order(2)
    HttpTransportOptionsCustomizer second() {
      return b -> b.maxChannels(2);
    }

    @Bean
    @Order(1)
    HttpTransportOptionsCustomizer first() {
      return b -> b.maxChannels(1);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnOptions {
    @Bean
    HttpTransportOptions ownOptions() {
      return HttpTransportOptions.builder().maxChannels(3).build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBus {
    @Bean(destroyMethod = "close")
    MessageBus ownBus() {
      return MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    }
  }
}
