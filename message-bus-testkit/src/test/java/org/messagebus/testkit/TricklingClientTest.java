// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TricklingClientTest {

  /** A server that reads the start and three trickled bytes, then closes: seen as closed. */
  @Test
  void serverThatCloses_isSeenClosing_afterTheBytesItRead() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<String> read =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = server.accept()) {
                  InputStream in = s.getInputStream();
                  byte[] got = in.readNBytes("start".length() + 3);
                  return new String(got, StandardCharsets.US_ASCII);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      try (TricklingClient slow =
          new TricklingClient(server.getLocalPort(), "start", "ab", Duration.ofSeconds(20))) {
        assertThat(read.get(20, TimeUnit.SECONDS)).isEqualTo("startaba");
        assertThat(slow.closedByServer()).isTrue();
        assertThat(slow.trickled()).isGreaterThanOrEqualTo(3);
      }
    }
  }

  /** A server that keeps the connection open: not closed within the wait. */
  @Test
  void serverThatKeepsTheConnection_isNotSeenClosing() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        TricklingClient slow =
            new TricklingClient(server.getLocalPort(), "start", "x", Duration.ofMillis(300));
        Socket accepted = server.accept()) {
      assertThat(slow.closedByServer()).isFalse();
      assertThat(accepted.isClosed()).isFalse();
    }
  }
}
