// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.messagebus.MessageBus;

/**
 * The other process of {@link TwoJvmTest}: a bus on the Redis URI given as the argument that
 * answers every message on {@code /to-peer} with {@code echo:<data>} on {@code /to-parent}, says
 * {@code hello} once, prints {@code READY} when subscribed, and exits when its standard input ends.
 */
public final class TwoJvmPeer {

  private TwoJvmPeer() {}

  /**
   * Runs the peer.
   *
   * @param args the Redis URI
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    try (MessageBus bus =
        MessageBus.builder()
            .backend(RedisBackend.builder().uri(args[0]).build())
            .keepaliveInterval(Duration.ZERO)
            .build()) {
      bus.subscribe("/to-peer", m -> bus.publish("/to-parent", "echo:" + m.data()));
      bus.publish("/to-parent", "hello from " + ProcessHandle.current().pid());
      System.out.println("READY");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      while (in.readLine() != null) {
        // wait for the parent to close our input
      }
    }
  }
}
