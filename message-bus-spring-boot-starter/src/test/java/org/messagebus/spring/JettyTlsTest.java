// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.servlet.DeadlineHttpConnectionFactory;
import org.messagebus.servlet.GuardedBufferPool;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Boot's TLS connector on Jetty ({@code server.ssl.*}, Boot's own subclass of {@code
 * ServerConnector}, which checks the key alias at start) is replaced like the plain ones: on the
 * guarded pool, its HTTP/1.1 with request deadlines, and it serves polls over TLS.
 */
@SpringBootTest(
    classes = {EndToEndContract.App.class, JettyEndToEndTest.Jetty.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"message-bus.keepalive-interval=0", "server.address=127.0.0.1"})
@Timeout(60)
class JettyTlsTest {

  static final String PASSWORD = "changeit";

  @LocalServerPort int port;
  @Autowired ServletWebServerApplicationContext context;

  @DynamicPropertySource
  static void keyStore(DynamicPropertyRegistry registry) throws Exception {
    Path store = newKeyStore();
    registry.add("server.ssl.key-store", () -> store.toUri().toString());
    registry.add("server.ssl.key-store-password", () -> PASSWORD);
    registry.add("server.ssl.key-store-type", () -> "PKCS12");
  }

  /**
   * A PKCS12 key store (password {@link #PASSWORD}) with a self-signed key "server" for 127.0.0.1.
   */
  static Path newKeyStore() throws Exception {
    Path dir = Files.createTempDirectory("jetty-tls-test");
    Path store = dir.resolve("server.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue())
        .as(new String(keytool.getInputStream().readAllBytes()))
        .isZero();
    store.toFile().deleteOnExit();
    dir.toFile().deleteOnExit();
    return store;
  }

  @Test
  void tlsConnector_isOnTheGuardedPool_withDeadlines_andServesPolls() throws Exception {
    Server server = ((JettyWebServer) context.getWebServer()).getServer();
    assertThat(server.getConnectors())
        .singleElement()
        .satisfies(
            c -> {
              ServerConnector sc = (ServerConnector) c;
              assertThat(sc)
                  .isInstanceOf(JettyBufferGuardConfiguration.AliasCheckingConnector.class);
              assertThat(sc.getByteBufferPool()).isInstanceOf(GuardedBufferPool.class);
              assertThat(sc.getConnectionFactory(SslConnectionFactory.class)).isNotNull();
              assertThat(sc.getConnectionFactory(DeadlineHttpConnectionFactory.class))
                  .isNotNull()
                  .satisfies(
                      f -> assertThat(f.requestHeadTimeout()).isEqualTo(Duration.ofSeconds(10)));
              assertThat(sc.getLocalPort()).isEqualTo(port);
            });

    HttpResponse<String> reply = poll();
    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.body()).startsWith("[");
  }

  private HttpResponse<String> poll() throws IOException, InterruptedException, Exception {
    SSLContext trustAll = SSLContext.getInstance("TLS");
    trustAll.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
    HttpClient client =
        HttpClient.newBuilder().sslContext(trustAll).connectTimeout(Duration.ofSeconds(10)).build();
    return client.send(
        HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + port + "/message-bus/tls/poll?dlp=t"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("/tls=-1"))
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Trusts the test's own self-signed certificate (and any other: test only). */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
