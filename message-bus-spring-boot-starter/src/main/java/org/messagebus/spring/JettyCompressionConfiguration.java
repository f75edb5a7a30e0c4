// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.eclipse.jetty.compression.server.CompressionConfig;
import org.eclipse.jetty.compression.server.CompressionHandler;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.messagebus.servlet.HttpTransportOptions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Keeps Jetty's response compression ({@code server.compression.enabled=true}, Jetty's {@link
 * CompressionHandler}) off the endpoint's path: Jetty buffers a compressed stream, so a streamed
 * poll would deliver nothing until the poll ends. Tomcat's compression flushes each chunk and needs
 * no guard (both are shown by {@code CompressionTest}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(
    name = {
      "org.eclipse.jetty.compression.server.CompressionHandler",
      "org.springframework.boot.jetty.ConfigurableJettyWebServerFactory"
    })
class JettyCompressionConfiguration {

  @Bean
  WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> messageBusJettyCompressionGuard(
      ObjectProvider<HttpTransportOptions> options) {
    return factory ->
        factory.addServerCustomizers(
            server -> {
              ContextHandler context = server.getDescendant(ContextHandler.class);
              String contextPath = context == null ? "" : context.getContextPath();
              if ("/".equals(contextPath)) {
                contextPath = "";
              }
              String path = contextPath + options.getObject().baseRoute() + "message-bus/*";
              for (CompressionHandler h : server.getDescendants(CompressionHandler.class)) {
                // the most specific path spec's configuration applies: this one compresses nothing
                h.putConfiguration(
                    path, CompressionConfig.builder().compressExcludePath("/*").build());
              }
            });
  }
}
