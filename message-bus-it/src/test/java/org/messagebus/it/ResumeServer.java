// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.messagebus.MessageBus;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * The server process of {@link ServerKillResumeTest}: a bus on the Redis URI given as the second
 * argument, served by {@link MessageBusServer} on the port given as the first (long polling,
 * streaming, Server-Sent Events and WebSocket), until it is killed.
 */
public final class ResumeServer {

  private ResumeServer() {}

  /**
   * Runs the server until the process is killed.
   *
   * @param args the port and the Redis URI
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    MessageBus bus =
        MessageBus.builder()
            .backend(
                RedisBackend.builder().uri(args[1]).retryInterval(Duration.ofMillis(100)).build())
            .keepaliveInterval(Duration.ZERO)
            .build();
    MessageBusServer.builder(bus)
        .port(Integer.parseInt(args[0]))
        .webSocket(WebSocketOptions.defaults())
        .httpOptions(
            HttpTransportOptions.builder()
                // every client of the test polls from 127.0.0.1
                .maxHeldPollsPerAddress(Integer.MAX_VALUE)
                .build())
        .build()
        .start();
    System.out.println("LISTENING " + args[0]);
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
