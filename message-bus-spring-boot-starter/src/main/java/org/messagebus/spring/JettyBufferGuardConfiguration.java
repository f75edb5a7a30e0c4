// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.messagebus.servlet.GuardedBufferPool;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Puts Spring Boot's Jetty connectors on {@link GuardedBufferPool}, the pool {@code
 * MessageBusServer} uses: Jetty 12.1 can release a connection's request buffer twice and go on
 * using it (jetty/jetty.project#12939, after a request it refuses), and with Jetty's own pool
 * another connection's bytes are then consumed (a well-formed request unanswered, or its body
 * lost). Boot builds the server and its pool itself, and a connector takes its pool when it is
 * made, so each plain {@link ServerConnector} Boot made is replaced by one with the same connection
 * factories, threads and settings on a guarded pool. Boot's TLS connector, a subclass of its own
 * (it checks the key alias at start), is left as it is: unguarded yet. Runs before every other
 * server customizer (Boot's and the application's), so that they customize the connectors that
 * serve.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(
    name = {
      "org.eclipse.jetty.server.ServerConnector",
      "org.springframework.boot.jetty.ConfigurableJettyWebServerFactory"
    })
class JettyBufferGuardConfiguration {

  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> messageBusJettyBufferGuard() {
    return factory -> factory.addServerCustomizers(JettyBufferGuardConfiguration::guard);
  }

  /**
   * Replaces every {@link ServerConnector} of {@code server} (exactly that class: a subclass may
   * hold more than can be copied) with one on a guarded pool.
   */
  static void guard(Server server) {
    GuardedBufferPool pool = new GuardedBufferPool();
    Connector[] connectors = server.getConnectors();
    Connector[] guarded = new Connector[connectors.length];
    for (int i = 0; i < connectors.length; i++) {
      guarded[i] =
          connectors[i] instanceof ServerConnector c
                  && c.getClass() == ServerConnector.class // a subclass may hold more
                  && !(c.getByteBufferPool() instanceof GuardedBufferPool)
              ? copyOn(server, c, pool)
              : connectors[i];
    }
    server.setConnectors(guarded);
  }

  private static ServerConnector copyOn(Server server, ServerConnector c, GuardedBufferPool pool) {
    ServerConnector n =
        new ServerConnector(
            server,
            c.getExecutor(),
            c.getScheduler(),
            pool,
            c.getAcceptors(),
            c.getSelectorManager().getSelectorCount(),
            c.getConnectionFactories().toArray(new ConnectionFactory[0]));
    n.setDefaultProtocol(c.getDefaultProtocol());
    n.setName(c.getName());
    n.setHost(c.getHost());
    n.setPort(c.getPort());
    n.setIdleTimeout(c.getIdleTimeout());
    n.setShutdownIdleTimeout(c.getShutdownIdleTimeout());
    n.setAcceptQueueSize(c.getAcceptQueueSize());
    n.setReuseAddress(c.getReuseAddress());
    n.setReusePort(c.isReusePort());
    n.setAcceptedTcpNoDelay(c.getAcceptedTcpNoDelay());
    n.setAcceptedReceiveBufferSize(c.getAcceptedReceiveBufferSize());
    n.setAcceptedSendBufferSize(c.getAcceptedSendBufferSize());
    n.setInheritChannel(c.isInheritChannel());
    c.getEventListeners().forEach(n::addEventListener);
    return n;
  }
}
