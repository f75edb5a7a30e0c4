// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder rejects bad values at once, naming the option. */
class MessageBusClientBuilderTest {

  private final MessageBusClient.Builder builder =
      MessageBusClient.builder(URI.create("http://127.0.0.1:1/"));

  @Test
  void durations_mustBePositive() {
    assertThatThrownBy(() -> builder.minPollInterval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minPollInterval");
    assertThatThrownBy(() -> builder.requestTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("requestTimeout");
    assertThatThrownBy(() -> builder.backgroundCallbackInterval(null))
        .hasMessageContaining("backgroundCallbackInterval");
  }

  @Test
  void clientId_mustBeNonEmptyWithoutSlash() {
    assertThatThrownBy(() -> builder.clientId("a/b")).hasMessageContaining("clientId");
    assertThatThrownBy(() -> builder.clientId("")).hasMessageContaining("clientId");
  }

  @Test
  void headers_thatCannotBeSent_areRejectedAtOnce() {
    assertThatThrownBy(() -> builder.header("Content-Type", "text/plain"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Content-Type");
    assertThatThrownBy(() -> builder.header("Host", "example.com"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header Host");
    assertThatThrownBy(() -> builder.header("Bad Name", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("header Bad Name");
    builder.header("Authorization", "Bearer t"); // an ordinary header is fine
  }

  @Test
  void defaults_areTheNamedConstants() {
    try (MessageBusClient client = builder.build()) {
      assertThat(client.clientId())
          .hasSize(MessageBusClient.DEFAULT_CLIENT_ID_LENGTH)
          .matches("[0-9a-f]+");
      assertThat(client.status()).isEqualTo(MessageBusClient.Status.STOPPED);
    }
  }

  @Test
  void closedClient_refusesSubscriptionsAndStart() {
    MessageBusClient client = builder.build();
    client.close();
    client.close(); // idempotent

    assertThatThrownBy(() -> client.subscribe("/a", m -> {}))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(client::start).isInstanceOf(IllegalStateException.class);
  }
}
