// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.messagebus.Message;
import org.messagebus.MessageBus;

/**
 * TLS end to end: a private redis-server that only speaks TLS, reached with a {@code rediss://}
 * URI, and with an application's Lettuce client that trusts the server's certificate.
 */
class RedisTlsTest {

  private static PrivateRedis redis;

  @BeforeAll
  static void start() throws Exception {
    redis = PrivateRedis.startTls();
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
              .sslOptions(SslOptions.builder().trustManager(redis.certificate()).build())
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
