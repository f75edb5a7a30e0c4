// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusFilter;
import org.messagebus.servlet.MiddlewareErrorHandler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.util.unit.DataSize;

/**
 * Registers the message_bus HTTP endpoint ({@link MessageBusFilter}) in a servlet web application
 * that has {@code message-bus-servlet} on its class path: a {@link FilterRegistrationBean} named
 * {@value #REGISTRATION_BEAN} mapped to {@code <base-route>message-bus/*}, async-supported, with
 * {@link HttpTransportOptions} from the {@code message-bus.http.*} properties.
 *
 * <p>Lookups come from beans when the application declares them: {@link MessageBusUserIdLookup},
 * {@link MessageBusGroupIdsLookup}, {@link MessageBusSiteIdLookup}, {@link
 * MessageBusExtraHeadersLookup}, {@link MessageBusIsAdminLookup} and {@link
 * MiddlewareErrorHandler}; then every {@link HttpTransportOptionsCustomizer} bean is applied.
 * {@code message-bus.enabled=false} or {@code message-bus.http.enabled=false} turns the endpoint
 * off; each bean backs off when the application defines its own.
 *
 * <p>With {@code message-bus.websocket.enabled=true} the filter also opens WebSockets at {@code
 * <base-route>message-bus/<clientId>/ws} ({@link WebSocketOptions} from {@code
 * message-bus.websocket.*}, or the application's own {@link WebSocketOptions} bean). The socket is
 * upgraded through the container's Jakarta WebSocket {@code ServerContainer}, which Spring Boot
 * installs on Tomcat ({@code tomcat-embed-websocket}, part of {@code spring-boot-starter-tomcat})
 * and on Jetty ({@code jetty-ee11-websocket-jakarta-server}, part of {@code
 * spring-boot-starter-jetty}); without it an upgrade gets 501 and clients fall back to polling.
 */
@AutoConfiguration(after = MessageBusAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, MessageBusFilter.class, FilterRegistrationBean.class})
@ConditionalOnBooleanProperty(name = "message-bus.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "message-bus.http.enabled", matchIfMissing = true)
@ConditionalOnBean(MessageBus.class)
@Import({JettyCompressionConfiguration.class, JettyBufferGuardConfiguration.class})
public final class MessageBusServletAutoConfiguration {

  /** The name of the filter registration bean; define a bean of this name to replace it. */
  public static final String REGISTRATION_BEAN = "messageBusFilterRegistration";

  /** The name of the drain filter's registration bean; define a bean of this name to replace it. */
  public static final String DRAIN_REGISTRATION_BEAN = "messageBusDrainRegistration";

  /** Creates the auto-configuration (called by Spring). */
  public MessageBusServletAutoConfiguration() {}

  /**
   * The endpoint's options.
   *
   * @param properties the {@code message-bus.*} properties
   * @param userIdLookup an optional user id lookup bean
   * @param groupIdsLookup an optional group ids lookup bean
   * @param siteIdLookup an optional site id lookup bean
   * @param extraHeadersLookup an optional extra headers lookup bean
   * @param isAdminLookup an optional administrator lookup bean (the diagnostics page)
   * @param errorHandler an optional middleware error handler bean
   * @param customizers customizers, applied last in order
   * @return the options
   */
  @Bean
  @ConditionalOnMissingBean
  public HttpTransportOptions messageBusHttpTransportOptions(
      MessageBusProperties properties,
      ObjectProvider<MessageBusUserIdLookup> userIdLookup,
      ObjectProvider<MessageBusGroupIdsLookup> groupIdsLookup,
      ObjectProvider<MessageBusSiteIdLookup> siteIdLookup,
      ObjectProvider<MessageBusExtraHeadersLookup> extraHeadersLookup,
      ObjectProvider<MessageBusIsAdminLookup> isAdminLookup,
      ObjectProvider<MiddlewareErrorHandler> errorHandler,
      ObjectProvider<HttpTransportOptionsCustomizer> customizers) {
    HttpEndpointProperties h = properties.http();
    HttpTransportOptions.Builder b = HttpTransportOptions.builder();
    Settings.apply("message-bus.http.base-route", h.baseRoute(), () -> b.baseRoute(h.baseRoute()));
    b.longPollingEnabled(h.longPollingEnabled());
    Settings.apply(
        "message-bus.http.long-polling-interval",
        h.longPollingInterval(),
        () -> b.longPollingInterval(h.longPollingInterval()));
    Settings.apply(
        "message-bus.http.long-polling-min-hold",
        h.longPollingMinHold(),
        () -> b.longPollingMinHold(h.longPollingMinHold()));
    b.chunkedEncodingEnabled(h.chunkedEncodingEnabled());
    Settings.apply(
        "message-bus.http.sse-max-duration",
        h.sseMaxDuration(),
        () -> b.sseMaxDuration(h.sseMaxDuration()));
    Duration sseMin = h.sseMinDuration();
    if (sseMin != null) {
      // build() checks it against sse-max-duration; a refusal names this property
      Settings.apply(
          "message-bus.http.sse-min-duration", sseMin, () -> b.sseMinDuration(sseMin).build());
    }
    b.closeHeldPollConnections(h.closeHeldPollConnections());
    b.dashboardEnabled(h.dashboardEnabled());
    Settings.apply(
        "message-bus.http.max-active-clients",
        h.maxActiveClients(),
        () -> b.maxActiveClients(h.maxActiveClients()));
    b.allowBroadcast(h.allowBroadcast());
    Settings.apply(
        "message-bus.http.max-body-size",
        h.maxBodySize(),
        () -> b.maxBodyBytes(intBytes("maxBodyBytes", h.maxBodySize())));
    Settings.apply(
        "message-bus.http.max-channels", h.maxChannels(), () -> b.maxChannels(h.maxChannels()));
    Settings.apply(
        "message-bus.http.max-client-id-length",
        h.maxClientIdLength(),
        () -> b.maxClientIdLength(h.maxClientIdLength()));
    if (h.fanOutThreads() != null) {
      Settings.apply(
          "message-bus.http.fan-out-threads",
          h.fanOutThreads(),
          () -> b.fanOutThreads(h.fanOutThreads()));
    }
    Settings.apply(
        "message-bus.http.max-held-polls-per-user",
        h.maxHeldPollsPerUser(),
        () -> b.maxHeldPollsPerUser(h.maxHeldPollsPerUser()));
    Settings.apply(
        "message-bus.http.max-held-polls-per-address",
        h.maxHeldPollsPerAddress(),
        () -> b.maxHeldPollsPerAddress(h.maxHeldPollsPerAddress()));
    Settings.apply(
        "message-bus.http.held-polls-retry-after",
        h.heldPollsRetryAfter(),
        () -> b.heldPollsRetryAfter(h.heldPollsRetryAfter()));
    Settings.apply(
        "message-bus.http.recent-window-messages",
        h.recentWindowMessages(),
        () -> b.recentWindowMessages(h.recentWindowMessages()));
    Settings.apply(
        "message-bus.http.recent-window-channels",
        h.recentWindowChannels(),
        () -> b.recentWindowChannels(h.recentWindowChannels()));
    Settings.apply(
        "message-bus.http.recent-window-size",
        h.recentWindowSize(),
        () -> b.recentWindowBytes(h.recentWindowSize().toBytes()));
    Settings.apply(
        "message-bus.http.trusted-proxies",
        h.trustedProxies(),
        () -> b.trustedProxies(h.trustedProxies()));
    MessageBusUserIdLookup userLookup = userIdLookup.getIfAvailable();
    if (userLookup != null) {
      b.userIdLookup(userLookup::userId);
    } else if (properties.security().userIdFromPrincipal()) {
      b.userIdLookup(MessageBusServletAutoConfiguration::principalName);
    }
    groupIdsLookup.ifAvailable(l -> b.groupIdsLookup(l::groupIds));
    siteIdLookup.ifAvailable(l -> b.siteIdLookup(l::siteId));
    extraHeadersLookup.ifAvailable(l -> b.extraResponseHeadersLookup(l::extraHeaders));
    isAdminLookup.ifAvailable(l -> b.isAdminLookup(l::isAdmin));
    errorHandler.ifAvailable(b::onMiddlewareError);
    customizers.orderedStream().forEach(c -> c.customize(b));
    return b.build();
  }

  /** The user id of {@code message-bus.security.user-id-from-principal}. */
  static @Nullable Object principalName(jakarta.servlet.http.HttpServletRequest request) {
    java.security.Principal p = request.getUserPrincipal();
    return p == null ? null : p.getName();
  }

  /** A size for an int option; the option's own builder checks the lower bound. */
  private static int intBytes(String option, DataSize size) {
    long bytes = size.toBytes();
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(option + " must be below 2 GB: " + bytes);
    }
    return (int) bytes;
  }

  /**
   * The WebSocket endpoint's options, when {@code message-bus.websocket.enabled=true}.
   *
   * @param properties the {@code message-bus.websocket.*} properties
   * @return the options
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(name = "message-bus.websocket.enabled")
  public WebSocketOptions messageBusWebSocketOptions(MessageBusProperties properties) {
    WebSocketProperties w = properties.websocket();
    WebSocketOptions.Builder b = WebSocketOptions.builder();
    Settings.apply(
        "message-bus.websocket.allowed-origins",
        w.allowedOrigins(),
        () -> b.allowedOrigins(w.allowedOrigins()));
    Settings.apply(
        "message-bus.websocket.ping-interval",
        w.pingInterval(),
        () -> b.pingInterval(w.pingInterval()));
    Settings.apply(
        "message-bus.websocket.max-queued-size",
        w.maxQueuedSize(),
        () -> b.maxQueuedBytes(intBytes("maxQueuedBytes", w.maxQueuedSize())));
    Settings.apply(
        "message-bus.websocket.max-frame-size",
        w.maxFrameSize(),
        () -> b.maxFrameBytes(intBytes("maxFrameBytes", w.maxFrameSize())));
    return b.build();
  }

  /**
   * The endpoint; it subscribes to the bus when created. With a {@link WebSocketOptions} bean
   * ({@code message-bus.websocket.enabled=true}) it also opens WebSockets.
   *
   * @param bus the bus to serve
   * @param options the options
   * @param webSocket the WebSocket options, when the WebSocket endpoint is on
   * @return the filter; Spring closes it (answering held polls, closing sockets) when the context
   *     closes
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public MessageBusFilter messageBusFilter(
      MessageBus bus, HttpTransportOptions options, ObjectProvider<WebSocketOptions> webSocket) {
    WebSocketOptions ws = webSocket.getIfAvailable();
    return ws == null ? new MessageBusFilter(bus, options) : new MessageBusFilter(bus, options, ws);
  }

  /**
   * What the startup line says about the endpoint.
   *
   * @param options the endpoint's options
   * @param environment for {@code server.servlet.context-path}
   * @return the description
   */
  @Bean
  StartupLog.EndpointDescription messageBusEndpointDescription(
      HttpTransportOptions options, org.springframework.core.env.Environment environment) {
    String contextPath = environment.getProperty("server.servlet.context-path", "");
    if (contextPath.endsWith("/")) {
      contextPath = contextPath.substring(0, contextPath.length() - 1);
    }
    return new StartupLog.EndpointDescription(
        contextPath + options.baseRoute() + "message-bus/", options.siteIdLookup() != null);
  }

  /**
   * Drains the endpoint (503 with {@code Retry-After} for new polls, held polls answered at once,
   * readiness refusing traffic) on {@link MessageBusDrain#drain()} or when the context stops.
   *
   * @param filter the endpoint
   * @param options its options (for the extra response headers)
   * @param properties the {@code message-bus.http.drain-retry-after} property
   * @param events where the readiness change is published
   * @return the drain
   */
  @Bean
  @ConditionalOnMissingBean
  public MessageBusDrain messageBusDrain(
      MessageBusFilter filter,
      HttpTransportOptions options,
      MessageBusProperties properties,
      ApplicationEventPublisher events) {
    Duration retryAfter = properties.http().drainRetryAfter();
    MessageBusDrain[] built = new MessageBusDrain[1];
    Settings.apply(
        "message-bus.http.drain-retry-after",
        retryAfter,
        () -> built[0] = new MessageBusDrain(filter, options, retryAfter, events));
    return built[0];
  }

  /**
   * Drains the endpoint first when the context stops, so a graceful shutdown does not wait for held
   * polls.
   *
   * @param drain the drain
   * @return the lifecycle
   */
  @Bean
  @ConditionalOnMissingBean(name = "messageBusHeldPollsShutdown")
  public SmartLifecycle messageBusHeldPollsShutdown(MessageBusDrain drain) {
    return new HeldPollsShutdown(drain);
  }

  /**
   * Mounts the drain filter on the endpoint's route, just before the endpoint.
   *
   * @param drain the drain
   * @param options the endpoint's options (for the base route)
   * @param properties the {@code message-bus.http.filter-order} property
   * @return the registration
   */
  @Bean(name = DRAIN_REGISTRATION_BEAN)
  @ConditionalOnMissingBean(name = DRAIN_REGISTRATION_BEAN)
  public FilterRegistrationBean<MessageBusDrain> messageBusDrainRegistration(
      MessageBusDrain drain, HttpTransportOptions options, MessageBusProperties properties) {
    FilterRegistrationBean<MessageBusDrain> reg = new FilterRegistrationBean<>(drain);
    reg.setName("messageBusDrain");
    reg.setAsyncSupported(true);
    reg.setDispatcherTypes(DispatcherType.REQUEST);
    reg.addUrlPatterns(options.baseRoute() + "message-bus/*");
    int order = properties.http().filterOrder();
    reg.setOrder(order == Integer.MIN_VALUE ? order : order - 1);
    return reg;
  }

  /**
   * Mounts the endpoint on {@code <base-route>message-bus/*}, async-supported.
   *
   * @param filter the endpoint
   * @param options its options (for the base route)
   * @param properties the {@code message-bus.http.filter-order} property
   * @return the registration
   */
  @Bean(name = REGISTRATION_BEAN)
  @ConditionalOnMissingBean(name = REGISTRATION_BEAN)
  public FilterRegistrationBean<MessageBusFilter> messageBusFilterRegistration(
      MessageBusFilter filter, HttpTransportOptions options, MessageBusProperties properties) {
    FilterRegistrationBean<MessageBusFilter> reg = new FilterRegistrationBean<>(filter);
    reg.setName("messageBusFilter");
    reg.setAsyncSupported(true);
    reg.setDispatcherTypes(DispatcherType.REQUEST);
    reg.addUrlPatterns(options.baseRoute() + "message-bus/*");
    reg.setOrder(properties.http().filterOrder());
    return reg;
  }
}
