// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.spi.BackendMessage;
import org.messagebus.spi.ChannelNames;

/**
 * SPEC §10.6 on the memory backend. Two managers on one bus stand for two processes: each cache has
 * its own identity, exactly as caches in separate processes do.
 */
class DistributedCacheTest {

  private final AtomicReference<String> site = new AtomicReference<>();
  private MessageBus bus;
  private DistributedCacheManager one;
  private DistributedCacheManager two;

  @BeforeEach
  void setUp() {
    bus = MessageBus.builder().siteIdLookup(site::get).build();
    one = DistributedCacheManager.builder(bus).build();
    two = DistributedCacheManager.builder(bus).build();
  }

  @AfterEach
  void tearDown() {
    one.close();
    two.close();
    bus.close();
  }

  /** Waits until every earlier cache message has reached {@code cache}: a marker written last. */
  private static void sync(DistributedCache writer, DistributedCache reader) {
    String marker = "marker-" + System.nanoTime();
    writer.put(marker, true);
    await().atMost(Duration.ofSeconds(10)).until(() -> reader.containsKey(marker));
    writer.remove(marker);
    await().atMost(Duration.ofSeconds(10)).until(() -> !reader.containsKey(marker));
  }

  @Test
  void aListOfMapsSetInOneCacheAppearsInTheOther() {
    DistributedCache a = one.cache("animals");
    DistributedCache b = two.cache("animals");
    a.put("list", List.of(Map.of("name", "frog", "legs", 4), Map.of("name", "snake", "legs", 0)));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(b.get("list"))
                    .isEqualTo(
                        List.of(
                            Map.of("name", "frog", "legs", 4L),
                            Map.of("name", "snake", "legs", 0L))));
  }

  @Test
  void setsPropagateBothWays_includingLaterChanges() {
    DistributedCache a = one.cache("animals");
    DistributedCache b = two.cache("animals");
    a.put("frogs", 5L);
    await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(5).equals(b.get("frogs")));
    b.put("frogs", 6L);
    await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(6).equals(a.get("frogs")));
    a.put("frogs", "many");
    await().atMost(Duration.ofSeconds(10)).until(() -> "many".equals(b.get("frogs")));
    assertThat(a.get("frogs")).isEqualTo("many");
  }

  @Test
  void cachesWithDifferentNamesDoNotShare() {
    DistributedCache a = one.cache("animals");
    DistributedCache otherName = two.cache("plants");
    DistributedCache sameName = two.cache("animals");
    a.put("frogs", 5L);
    sync(a, sameName);
    assertThat(sameName.get("frogs")).isEqualTo(5L);
    assertThat(otherName.containsKey("frogs")).isFalse();
    assertThat(otherName.size()).isZero();
  }

  @Test
  void deleteAndClearPropagate_andAreImmediateLocally() {
    DistributedCache a = one.cache("animals");
    DistributedCache b = two.cache("animals");
    a.put("frogs", 5L);
    a.put("cats", 2L);
    a.put("dogs", 1L);
    await().atMost(Duration.ofSeconds(10)).until(() -> b.size() == 3);

    assertThat(a.remove("frogs")).isEqualTo(5L);
    assertThat(a.containsKey("frogs")).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(() -> !b.containsKey("frogs"));

    b.clear();
    assertThat(b.size()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.size() == 0);
  }

  @Test
  void removeWithoutPublishing_staysLocal() {
    DistributedCache a = one.cache("animals");
    DistributedCache b = two.cache("animals");
    a.put("frogs", 5L);
    sync(a, b);
    assertThat(b.remove("frogs", false)).isEqualTo(5L);
    sync(b, a);
    assertThat(a.get("frogs")).isEqualTo(5L);
  }

  @Test
  void nullIsStoredAsAnEntry() {
    DistributedCache a = one.cache("animals");
    DistributedCache b = two.cache("animals");
    a.put("nothing", null);
    assertThat(a.containsKey("nothing")).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> b.containsKey("nothing"));
    assertThat(b.get("nothing")).isNull();
    assertThat(b.snapshot()).containsEntry("nothing", null);
  }

  @Test
  void writesOfAnotherAppVersionAreIgnored() {
    DistributedCacheManager v1 = DistributedCacheManager.builder(bus).appVersion("1").build();
    DistributedCacheManager v2 = DistributedCacheManager.builder(bus).appVersion("2").build();
    try {
      DistributedCache a1 = v1.cache("animals");
      DistributedCache b2 = v2.cache("animals");
      DistributedCache c1 =
          DistributedCacheManager.builder(bus).appVersion("1").build().cache("animals");
      DistributedCache unversioned = one.cache("animals");
      a1.put("frogs", 5L);
      sync(a1, c1);
      assertThat(c1.get("frogs")).isEqualTo(5L);
      assertThat(b2.containsKey("frogs")).isFalse();
      // a manager without a version applies every write
      assertThat(unversioned.get("frogs")).isEqualTo(5L);
      // a versioned manager ignores writes that carry no version
      unversioned.put("cats", 1L);
      sync(a1, c1);
      assertThat(a1.containsKey("cats")).isFalse();
    } finally {
      v1.close();
      v2.close();
    }
  }

  @Test
  void ownWritesAreNotReapplied() {
    DistributedCache a = one.cache("animals");
    DistributedCache b = two.cache("animals");
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("op", "set");
    op.put("key", "echo");
    op.put("value", 1);
    op.put("marshalled", false);
    op.put("origin", a.identity());
    op.put("hash_key", "animals");
    bus.publish(DistributedCacheManager.CHANNEL, op, PublishOptions.builder().userIds(-1).build());
    sync(b, a);
    assertThat(b.get("echo")).isEqualTo(1L);
    assertThat(a.containsKey("echo")).isFalse();
  }

  @Test
  void marshalledValuesFromRuby_evictTheKey() {
    DistributedCache a = one.cache("animals");
    DistributedCache b = two.cache("animals");
    a.put("list", List.of(1, 2));
    sync(a, b);
    assertThat(b.get("list")).isEqualTo(List.of(1L, 2L));
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("op", "set");
    op.put("key", "list");
    op.put("value", "BAhbB2kGaQc=\n");
    op.put("marshalled", true);
    op.put("origin", "0123456789abcdef0123456789abcdef4242");
    op.put("hash_key", "animals");
    bus.publish(DistributedCacheManager.CHANNEL, op, PublishOptions.builder().userIds(-1).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> !b.containsKey("list"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !a.containsKey("list"));
  }

  @Test
  void theWireFormatIsRubys() {
    DistributedCacheManager versioned =
        DistributedCacheManager.builder(bus).appVersion("1.2").build();
    try {
      DistributedCache a = versioned.cache("animals");
      a.put("frogs", 5);
      a.remove("frogs");
      a.clear();
      List<BackendMessage> stored =
          bus.backend().backlog(ChannelNames.withSite(DistributedCacheManager.CHANNEL, null), 0);
      String id = a.identity();
      assertThat(id).matches("[0-9a-f]{32}" + ProcessHandle.current().pid());
      assertThat(stored)
          .extracting(BackendMessage::payload)
          .containsExactly(
              "{\"data\":{\"op\":\"set\",\"key\":\"frogs\",\"value\":5,\"marshalled\":false,"
                  + "\"origin\":\""
                  + id
                  + "\",\"hash_key\":\"animals\",\"app_version\":\"1.2\"},"
                  + "\"user_ids\":[-1],\"group_ids\":null,\"client_ids\":null}",
              "{\"data\":{\"op\":\"delete\",\"key\":\"frogs\",\"origin\":\""
                  + id
                  + "\",\"hash_key\":\"animals\",\"app_version\":\"1.2\"},"
                  + "\"user_ids\":[-1],\"group_ids\":null,\"client_ids\":null}",
              "{\"data\":{\"op\":\"clear\",\"origin\":\""
                  + id
                  + "\",\"hash_key\":\"animals\",\"app_version\":\"1.2\"},"
                  + "\"user_ids\":[-1],\"group_ids\":null,\"client_ids\":null}");
    } finally {
      versioned.close();
    }
  }

  @Test
  void namespacedCachesKeepOneMapPerSite() {
    DistributedCache a = one.cache("animals");
    DistributedCache b = two.cache("animals");
    DistributedCache flat = two.cache("animals", false);
    site.set("s1");
    a.put("frogs", 1L);
    site.set("s2");
    a.put("frogs", 2L);
    site.set(null);
    a.put("frogs", 0L);
    sync(a, b);
    assertThat(b.get("frogs")).isEqualTo(0L);
    assertThat(b.forSite("s1").get("frogs")).isEqualTo(1L);
    assertThat(b.forSite("s2").get("frogs")).isEqualTo(2L);
    assertThat(b.forSite(DistributedCache.DEFAULT_SITE).get("frogs")).isEqualTo(0L);
    // a cache without namespace sees every site's writes in one map: the last one wins
    assertThat(flat.get("frogs")).isEqualTo(0L);
    site.set("s1");
    assertThat(b.get("frogs")).isEqualTo(1L);
  }

  @Test
  void failedPublish_withoutQueueing_leavesTheLocalValue() {
    DistributedCacheManager strict =
        DistributedCacheManager.builder(bus).publishQueueInMemory(false).build();
    DistributedCache a = strict.cache("animals");
    a.put("frogs", 1L);
    bus.close();
    assertThatThrownBy(() -> a.put("frogs", 2L)).isInstanceOf(RuntimeException.class);
    assertThat(a.get("frogs")).isEqualTo(1L);
  }

  @Test
  void misuse_isRejected() {
    assertThatThrownBy(() -> one.cache(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    DistributedCache a = one.cache("animals");
    assertThatThrownBy(() -> a.put(null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key");
    assertThatThrownBy(() -> a.forSite(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("siteId");
    assertThatThrownBy(() -> DistributedCacheManager.builder(bus).appVersion(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("appVersion");
    one.close();
    assertThatThrownBy(() -> one.cache("x")).isInstanceOf(IllegalStateException.class);
  }
}
