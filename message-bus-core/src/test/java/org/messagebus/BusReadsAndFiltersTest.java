// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bus's point reads (last ids, last message) per site, the client-message filters the HTTP
 * transport asks, the publish options' targeting, and off/on.
 */
class BusReadsAndFiltersTest {

  private final AtomicReference<String> site = new AtomicReference<>("one");
  private final MessageBus bus =
      MessageBus.builder().keepaliveInterval(Duration.ZERO).siteIdLookup(site::get).build();

  @AfterEach
  void close() {
    bus.close();
  }

  @Test
  void lastIds_areInTheCallersOrder_perSite() {
    bus.publish("/a", "a1");
    bus.publish("/a", "a2");
    bus.publish("/b", "b1");
    bus.publish("/b", "b1 of two", PublishOptions.builder().siteId("two").build());

    // the memory backend numbers messages store-wide
    assertThat(bus.lastIds(List.of("/b", "/none", "/a")))
        .containsExactly(Map.entry("/b", 3L), Map.entry("/none", 0L), Map.entry("/a", 2L));
    assertThat(bus.lastIds(List.of("/a", "/b"), "two"))
        .containsExactly(Map.entry("/a", 0L), Map.entry("/b", 4L));
    assertThat(bus.lastIds(List.of())).isEmpty();
    assertThatThrownBy(() -> bus.lastIds(List.of("/ok", "/a$|$b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("channel");
  }

  @Test
  void lastMessage_isTheNewestOfTheCurrentSite() {
    assertThat(bus.lastMessage("/m")).isEmpty();
    bus.publish("/m", "first");
    bus.publish("/m", "newest", PublishOptions.builder().userIds(7L).groupIds("staff").build());

    Message m = bus.lastMessage("/m").orElseThrow();
    assertThat(m.data()).isEqualTo("newest");
    assertThat(m.siteId()).isEqualTo("one");
    assertThat(m.userIds()).containsExactly(7L);
    assertThat(m.groupIds()).containsExactly("staff");
    assertThat(m.clientIds()).isEmpty();

    site.set("two");
    assertThat(bus.lastMessage("/m")).as("another site has its own channel").isEmpty();
  }

  @Test
  void clientMessageFilters_everyMatchingPrefixMustAllow() {
    ClientMessageFilter noSecrets = m -> !"secret".equals(m.data());
    ClientMessageFilter noDrafts = m -> !"draft".equals(m.data());
    bus.registerClientMessageFilter("/private", noSecrets);
    bus.registerClientMessageFilter("/private/notes", noDrafts);
    bus.registerClientMessageFilter("/ignored", null);

    assertThat(bus.clientMessageFilters())
        .extracting(ClientMessageFilterRegistration::prefix)
        .containsExactly("/private", "/private/notes");
    assertThat(bus.passesClientMessageFilters(message("/private/notes", "hello"))).isTrue();
    assertThat(bus.passesClientMessageFilters(message("/private/notes", "secret"))).isFalse();
    assertThat(bus.passesClientMessageFilters(message("/private/notes", "draft"))).isFalse();
    assertThat(bus.passesClientMessageFilters(message("/private/other", "draft"))).isTrue();
    assertThat(bus.passesClientMessageFilters(message("/public", "secret"))).isTrue();
    assertThatThrownBy(() -> bus.registerClientMessageFilter(null, noSecrets))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefix");
  }

  @Test
  void withoutFilters_everyMessagePasses() {
    assertThat(bus.clientMessageFilters()).isEmpty();
    assertThat(bus.passesClientMessageFilters(message("/any", "secret"))).isTrue();
  }

  @Test
  void off_stopsPublishing_offFalseOnlyStopsSubscribing_andOnUndoesBoth() {
    bus.off();
    assertThat(bus.isOff()).isTrue();
    assertThat(bus.publish("/o", "dropped")).isEqualTo(MessageBus.NO_ID);

    bus.off(false);
    assertThat(bus.publish("/o", "kept")).isEqualTo(1L);

    bus.on();
    assertThat(bus.isOff()).isFalse();
    assertThat(bus.publish("/o", "again")).isEqualTo(2L);
    assertThat(bus.backlog("/o", 0)).extracting(Message::data).containsExactly("kept", "again");
  }

  @Test
  void publishOptions_keepTheirTargetsAndOverrides() {
    PublishOptions o =
        PublishOptions.builder()
            .userIds(List.of(1L, "u2"))
            .groupIds("g")
            .clientIds(List.of("c"))
            .siteId("s")
            .maxBacklogAge(Duration.ofMinutes(5))
            .maxBacklogSize(10)
            .queueInMemory(false)
            .build();

    assertThat(o.userIds()).containsExactly(1L, "u2");
    assertThat(o.groupIds()).containsExactly("g");
    assertThat(o.clientIds()).containsExactly("c");
    assertThat(o.siteId()).isEqualTo("s");
    assertThat(o.maxBacklogAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(o.maxBacklogSize()).isEqualTo(10);
    assertThat(o.queueInMemory()).isFalse();
    assertThat(PublishOptions.NONE.userIds()).isNull();
    assertThatThrownBy(() -> PublishOptions.builder().siteId("a$|$b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Message message(String channel, Object data) {
    return new Message(1, 1, channel, data, null, List.of(), List.of(), List.of());
  }
}
