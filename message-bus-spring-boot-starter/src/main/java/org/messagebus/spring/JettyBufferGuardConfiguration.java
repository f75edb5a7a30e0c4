// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import java.util.Objects;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.jspecify.annotations.Nullable;
import org.messagebus.servlet.DeadlineHttpConnectionFactory;
import org.messagebus.servlet.GuardedBufferPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.web.server.AbstractConfigurableWebServerFactory;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.WebServerSslBundle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Puts Spring Boot's Jetty connectors on {@link GuardedBufferPool}, the pool {@code
 * MessageBusServer} uses, and their HTTP/1.1 on {@link DeadlineHttpConnectionFactory}, as {@code
 * MessageBusServer} has them.
 *
 * <p>The pool: Jetty 12.1 can release a connection's request buffer twice and go on using it
 * (jetty/jetty.project#12939, after a request it refuses), and with Jetty's own pool another
 * connection's bytes are then consumed (a well-formed request unanswered, or its body lost; over
 * TLS, another client's decrypted bytes). The deadlines: each byte restarts Jetty's idle timeout,
 * so a client trickling a request head a byte at a time holds a connection and its thread's work
 * for ever; {@code message-bus.http.request-head-timeout} (10 s) ends that, {@code
 * message-bus.http.request-body-timeout} (none by default: the application's uploads share the
 * server) does the same for bodies.
 *
 * <p>Boot builds the server and its pool itself, and a connector takes its pool when it is made, so
 * each connector Boot made is replaced by one with the same connection factories (the plain
 * HTTP/1.1 one with deadlines), threads and settings on a guarded pool: plain {@link
 * ServerConnector}s, and Boot's TLS connector ({@code server.ssl.*}), whose check at start that the
 * key store holds the configured key alias the copy does too. A connector of any other class (an
 * application's own) is left as it is, with an INFO line. Runs before every other server customizer
 * (Boot's and the application's), so that they customize the connectors that serve.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(
    name = {
      "org.eclipse.jetty.server.ServerConnector",
      "org.springframework.boot.jetty.ConfigurableJettyWebServerFactory"
    })
class JettyBufferGuardConfiguration {

  private static final Logger LOG = LoggerFactory.getLogger(JettyBufferGuardConfiguration.class);

  /** Boot 4's TLS connector: a {@link ServerConnector} that checks the key alias at start. */
  static final String BOOT_TLS_CONNECTOR =
      "org.springframework.boot.jetty.SslServerCustomizer$SslValidatingServerConnector";

  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory> messageBusJettyBufferGuard(
      MessageBusProperties properties) {
    HttpEndpointProperties h = properties.http();
    Deadlines deadlines =
        new Deadlines(
            checked("message-bus.http.request-head-timeout", h.requestHeadTimeout()),
            checked("message-bus.http.request-body-timeout", h.requestBodyTimeout()));
    // Boot sets the factory's SSL after this customizer (its own runs later): read at build time.
    return factory ->
        factory.addServerCustomizers(server -> guard(server, deadlines, () -> keyOf(factory)));
  }

  private static Duration checked(String property, @Nullable Duration d) {
    if (d == null) {
      return Duration.ZERO;
    }
    if (d.isNegative()) {
      throw new InvalidMessageBusPropertyException(
          property, d, "must not be negative (0 or unset: no deadline)", null);
    }
    return d;
  }

  /** The key of Boot's TLS configuration, whose alias Boot's TLS connector checks at start. */
  private static @Nullable SslBundleKey keyOf(ConfigurableJettyWebServerFactory factory) {
    if (factory instanceof AbstractConfigurableWebServerFactory f && Ssl.isEnabled(f.getSsl())) {
      return WebServerSslBundle.get(f.getSsl(), f.getSslBundles()).getKey();
    }
    return null;
  }

  /** The request deadlines of the connectors' HTTP/1.1; {@link Duration#ZERO}: none. */
  record Deadlines(Duration head, Duration body) {}

  /** Where the TLS key's alias check finds its key (read when Boot's TLS connector is met). */
  interface KeySource {
    @Nullable SslBundleKey key();
  }

  /**
   * Replaces each connector of {@code server} that is exactly a {@link ServerConnector} or Boot's
   * TLS connector (a subclass of another kind may hold more than can be copied) with one on a
   * guarded pool whose plain HTTP/1.1 factory keeps {@code deadlines}.
   */
  static void guard(Server server, Deadlines deadlines, KeySource keys) {
    GuardedBufferPool pool = new GuardedBufferPool();
    Connector[] connectors = server.getConnectors();
    Connector[] guarded = new Connector[connectors.length];
    for (int i = 0; i < connectors.length; i++) {
      Connector c = connectors[i];
      guarded[i] = c;
      if (!(c instanceof ServerConnector sc)
          || sc.getByteBufferPool() instanceof GuardedBufferPool) {
        continue;
      }
      if (sc.getClass() == ServerConnector.class) {
        guarded[i] =
            copyOn(
                new ServerConnector(
                    server,
                    sc.getExecutor(),
                    sc.getScheduler(),
                    pool,
                    sc.getAcceptors(),
                    sc.getSelectorManager().getSelectorCount(),
                    factories(sc, deadlines)),
                sc);
      } else if (sc.getClass().getName().equals(BOOT_TLS_CONNECTOR)
          && sc.getConnectionFactory(SslConnectionFactory.class) != null) {
        SslContextFactory.Server tls =
            sc.getConnectionFactory(SslConnectionFactory.class).getSslContextFactory();
        guarded[i] =
            copyOn(
                new AliasCheckingConnector(
                    server, sc, pool, factories(sc, deadlines), keys.key(), tls),
                sc);
      } else {
        LOG.info(
            "Jetty connector {} ({}) left on Jetty's own buffer pool, without request deadlines:"
                + " only Spring Boot's own connectors are replaced",
            sc.getName(),
            sc.getClass().getName());
      }
    }
    server.setConnectors(guarded);
  }

  /** The connector's factories, its plain HTTP/1.1 one replaced with one keeping the deadlines. */
  private static ConnectionFactory[] factories(ServerConnector c, Deadlines deadlines) {
    ConnectionFactory[] factories = c.getConnectionFactories().toArray(new ConnectionFactory[0]);
    for (int i = 0; i < factories.length; i++) {
      if (factories[i].getClass() == HttpConnectionFactory.class) {
        HttpConnectionFactory stock = (HttpConnectionFactory) factories[i];
        DeadlineHttpConnectionFactory d =
            new DeadlineHttpConnectionFactory(
                stock.getHttpConfiguration(), deadlines.head(), deadlines.body());
        d.setInputBufferSize(stock.getInputBufferSize());
        d.setTransferEncodingChunkMaxLength(stock.getTransferEncodingChunkMaxLength());
        stock.getEventListeners().forEach(d::addEventListener);
        factories[i] = d;
      }
    }
    return factories;
  }

  private static ServerConnector copyOn(ServerConnector n, ServerConnector c) {
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

  /**
   * Boot's TLS connector on a guarded pool: as Boot's, it checks at start that the key store holds
   * the configured key alias (a missing alias fails the start, as with Boot's own connector).
   */
  static final class AliasCheckingConnector extends ServerConnector {
    private final @Nullable SslBundleKey key;
    private final SslContextFactory.Server tls;

    AliasCheckingConnector(
        Server server,
        ServerConnector boots,
        GuardedBufferPool pool,
        ConnectionFactory[] factories,
        @Nullable SslBundleKey key,
        SslContextFactory.Server tls) {
      super(
          server,
          boots.getExecutor(),
          boots.getScheduler(),
          pool,
          boots.getAcceptors(),
          boots.getSelectorManager().getSelectorCount(),
          factories);
      this.key = key;
      this.tls = Objects.requireNonNull(tls);
    }

    @Override
    protected void doStart() throws Exception {
      super.doStart();
      if (key != null) {
        key.assertContainsAlias(tls.getKeyStore());
      }
    }
  }
}
