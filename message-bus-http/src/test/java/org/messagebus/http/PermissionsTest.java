// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.Message;
import org.messagebus.MessageBus;

/** The permission check of SPEC §5.3 (§10.4 items 11–15). */
class PermissionsTest {

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();

  @AfterEach
  void close() {
    bus.close();
  }

  private static Client client(String id, Object user, List<Object> groups) {
    return new Client(id, user, groups, null, 0, new LinkedHashMap<>(), null);
  }

  private static Message msg(
      String channel, Object data, List<Object> users, List<Object> groups, List<Object> clients) {
    return new Message(1, 1, channel, data, null, users, groups, clients);
  }

  private boolean allowed(Client c, Message m) {
    return Permissions.allowed(bus, c, m);
  }

  @Test
  void clientIds_restrictToTheListedClients() {
    Message m = msg("/c", "x", null, null, List.of("1", "2"));

    assertThat(allowed(client("2", null, List.of()), m)).isTrue();
    assertThat(allowed(client("3", null, List.of()), m)).isFalse();
    assertThat(allowed(client("3", null, List.of()), msg("/c", "x", null, null, List.of())))
        .isTrue();
    assertThat(allowed(client("3", null, List.of()), msg("/c", "x", null, null, null))).isTrue();
  }

  @Test
  void users_membersOnly_typedEquality() {
    Message m = msg("/c", "x", List.of(1L, "2"), null, null);

    assertThat(allowed(client("a", 1L, List.of()), m)).isTrue();
    assertThat(allowed(client("a", "2", List.of()), m)).isTrue();
    assertThat(allowed(client("a", "1", List.of()), m)).isFalse();
    assertThat(allowed(client("a", 2L, List.of()), m)).isFalse();
    assertThat(allowed(client("a", null, List.of()), m)).isFalse();
    assertThat(allowed(client("a", null, List.of()), msg("/c", "x", List.of(), null, null)))
        .isTrue();
  }

  @Test
  void users_combinedWithClientIds_bothMustPass() {
    Message m = msg("/c", "x", List.of(1L), null, List.of("a"));

    assertThat(allowed(client("a", 1L, List.of()), m)).isTrue();
    assertThat(allowed(client("b", 1L, List.of()), m)).isFalse();
    assertThat(allowed(client("a", 2L, List.of()), m)).isFalse();
  }

  @Test
  void groups_intersectionAllows_noGroupsDenies() {
    Message m = msg("/c", "x", null, List.of(1L, 7L), null);

    assertThat(allowed(client("a", null, List.of(7L, 9L)), m)).isTrue();
    assertThat(allowed(client("a", null, List.of(3L)), m)).isFalse();
    assertThat(allowed(client("a", null, List.of()), m)).isFalse();
    assertThat(allowed(client("a", null, List.of(3L)), msg("/c", "x", null, List.of(), null)))
        .isTrue();
  }

  @Test
  void usersAndGroups_areOred_clientIdsStillRestrict() {
    Message m = msg("/c", "x", List.of(1L), List.of(5L), null);

    assertThat(allowed(client("a", 1L, List.of()), m)).isTrue();
    assertThat(allowed(client("a", 2L, List.of(5L)), m)).isTrue();
    assertThat(allowed(client("a", 2L, List.of(6L)), m)).isFalse();
    Message restricted = msg("/c", "x", List.of(1L), List.of(5L), List.of("z"));
    assertThat(allowed(client("a", 1L, List.of(5L)), restricted)).isFalse();
  }

  @Test
  void clientMessageFilters_newestFirst_anyRefusalDenies() {
    bus.registerClientMessageFilter("/test", m -> false);
    assertThat(allowed(client("a", null, List.of()), msg("/test/5", "x", null, null, null)))
        .isFalse();
    assertThat(allowed(client("a", null, List.of()), msg("/other", "x", null, null, null)))
        .isTrue();
  }

  @Test
  void twoFiltersOnOnePrefix_bothApply() {
    bus.registerClientMessageFilter("/test", m -> Arrays.asList("bob", "fred").contains(m.data()));
    bus.registerClientMessageFilter("/test", m -> "fred".equals(m.data()));

    assertThat(allowed(client("a", null, List.of()), msg("/test/77", "fred", null, null, null)))
        .isTrue();
    assertThat(allowed(client("a", null, List.of()), msg("/test/77", "bob", null, null, null)))
        .isFalse();
    assertThat(allowed(client("a", null, List.of()), msg("/test/77", "random", null, null, null)))
        .isFalse();
  }
}
