// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.postgres;

import java.io.InputStream;
import java.time.Duration;
import org.messagebus.MessageBus;

/**
 * The second JVM of {@link TwoJvmTest}: answers every message on {@code /ping} with the same data
 * on {@code /pong}, through the one-line JDBC URL setup. Prints {@code READY} once subscribed and
 * exits when its standard input closes.
 */
public final class PeerMain {

  private PeerMain() {}

  /**
   * Runs the peer.
   *
   * @param args JDBC URL, schema, table prefix, notification channel
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    PostgresBackend backend =
        PostgresBackend.builder()
            .jdbcUrl(args[0])
            .poolSize(3)
            .schema(args[1])
            .tablePrefix(args[2])
            .notificationChannel(args[3])
            .build();
    try (MessageBus bus =
        MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build()) {
      bus.subscribe("/ping", m -> bus.publish("/pong", m.data()));
      System.out.println("READY");
      System.out.flush();
      InputStream in = System.in;
      while (in.read() >= 0) {
        // wait for the parent to close our input
      }
    }
  }
}
