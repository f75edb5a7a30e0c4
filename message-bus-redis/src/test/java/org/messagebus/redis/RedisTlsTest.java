// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.testkit.PrivateRedis;

/**
 * TLS end to end: a private redis-server that only speaks TLS, reached with a {@code rediss://}
 * URI, and with an application's Lettuce client that trusts the server's certificate.
 */
class RedisTlsTest {

  private static PrivateRedis redis;

  /**
   * A redis-server that accepts only TLS, with a self-signed certificate for 127.0.0.1 made by the
   * {@code openssl} command ({@link #certificate()}).
   */
  private static List<String> tlsOnly(int port, Path dir) throws IOException, InterruptedException {
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                dir.resolve("key.pem").toString(),
                "-out",
                dir.resolve("cert.pem").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    if (!openssl.waitFor(60, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
      throw new IOException("openssl could not make a test certificate: see " + dir);
    }
    return List.of(
        "redis-server",
        "--port",
        "0",
        "--tls-port",
        Integer.toString(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--tls-cert-file",
        dir.resolve("cert.pem").toString(),
        "--tls-key-file",
        dir.resolve("key.pem").toString(),
        "--tls-ca-cert-file",
        dir.resolve("cert.pem").toString(),
        "--tls-auth-clients",
        "no",
        "--dir",
        dir.toString(),
        "--logfile",
        dir.resolve("redis.log").toString());
  }

  /** The self-signed certificate of the server (PEM). */
  private static File certificate() {
    return redis.dir().resolve("cert.pem").toFile();
  }

  @BeforeAll
  static void start() throws Exception {
    redis = PrivateRedis.start(RedisTlsTest::tlsOnly);
  }

  @AfterAll
  static void stop() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  private static void publishAndReceive(RedisBackend backend) throws Exception {
    try (MessageBus bus =
        MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build()) {
      BlockingQueue<Message> received = new LinkedBlockingQueue<>();
      bus.subscribe("/tls", received::add);
      long id = bus.publish("/tls", "secret ✓");
      Message m = received.poll(10, TimeUnit.SECONDS);
      assertThat(m).isNotNull();
      assertThat(m.messageId()).isEqualTo(id);
      assertThat(m.data()).isEqualTo("secret ✓");
      assertThat(bus.backlog("/tls", 0)).extracting(Message::data).contains("secret ✓");
    }
  }

  @Test
  void redissUri_withoutPeerVerification() throws Exception {
    publishAndReceive(
        RedisBackend.create("rediss://127.0.0.1:" + redis.port() + "/0?verifyPeer=NONE"));
  }

  @Test
  void suppliedClient_trustingTheCertificate_verifiesThePeer() throws Exception {
    RedisClient client = RedisClient.create();
    try {
      client.setOptions(
          ClientOptions.builder()
              .sslOptions(SslOptions.builder().trustManager(certificate()).build())
              .build());
      publishAndReceive(
          RedisBackend.builder()
              .client(client)
              .uri("rediss://127.0.0.1:" + redis.port() + "/0")
              .build());
    } finally {
      client.shutdown();
    }
  }
}
