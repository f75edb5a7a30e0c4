// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ScoredValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;

/**
 * Wire compatibility with Ruby {@code message_bus} 4.5 (SPEC §3.2, §3.5 and the captures of
 * Appendix A): what Java writes is byte-identical to what Ruby writes, what Ruby writes reads the
 * same in Java, and the {@code $$UNSUBSCRIBE} hazard of §3.2.6 silences nobody.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisInteropTest {

  private static final int DB = RedisTestSupport.DB_INTEROP;
  private static final String NOTIFICATIONS = "_message_bus_" + DB;
  // {"a":1,"s":"םוֹ/x<U+2028>"}: Hebrew with a point, a slash, a raw line separator.
  private static final String TRICKY = "\u05dd\u05d5\u05b9/x\u2028";
  private static final long WEEK = 604800;

  // Appendix A, byte for byte.
  private static final String FOO_STORED =
      "1|1|/foo|{\"data\":{\"a\":1,\"s\":\""
          + TRICKY
          + "\"},\"user_ids\":[1,\"2\"],\"group_ids\":null,\"client_ids\":null}";
  private static final String SITED_STORED =
      "2|1|/foo$$123$$bar$$$123$$$s1|{\"data\":\"x\",\"user_ids\":null,\"group_ids\":null,"
          + "\"client_ids\":null}";
  private static final String GLOBAL_STORED =
      "3|1|/global/g|{\"data\":[1,2],\"user_ids\":null,\"group_ids\":null,"
          + "\"client_ids\":[\"abc\"]}";

  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;

  /** Ruby hashes keep insertion order; so must the test's map. */
  private static Map<String, Object> fooData() {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("a", 1);
    data.put("s", TRICKY);
    return data;
  }

  private final List<MessageBus> buses = new ArrayList<>();

  @BeforeAll
  static void redisIsRunning() {
    RedisTestSupport.requireRedis();
  }

  @BeforeEach
  void emptyDatabase() {
    RedisTestSupport.flushDb(DB);
    connection = RedisTestSupport.redis(DB);
    redis = connection.sync();
  }

  @AfterEach
  void close() {
    buses.forEach(MessageBus::close);
    connection.close();
  }

  private MessageBus bus() {
    MessageBus bus =
        MessageBus.builder()
            .backend(RedisBackend.builder().uri(RedisTestSupport.uri(DB)).build())
            .keepaliveInterval(Duration.ZERO)
            .build();
    buses.add(bus);
    return bus;
  }

  private static List<String> members(List<ScoredValue<String>> scored) {
    return scored.stream().map(sv -> (long) sv.getScore() + " " + sv.getValue()).toList();
  }

  @Test
  void javaPublishes_writeAppendixAKeysByteForByte() {
    MessageBus bus = bus();

    bus.publish("/foo", fooData(), PublishOptions.builder().userIds(1, "2").build());
    bus.publish("/foo|bar", "x", PublishOptions.builder().siteId("s1").build());
    bus.publish("/global/g", List.of(1, 2), PublishOptions.builder().clientIds("abc").build());

    assertThat(redis.get("__mb_global_id_n")).isEqualTo("3");
    assertThat(redis.ttl("__mb_global_id_n")).isEqualTo(-1);
    assertThat(redis.get("__mb_backlog_id_n_/foo")).isEqualTo("1");
    assertThat(redis.ttl("__mb_backlog_id_n_/foo")).isEqualTo(WEEK);
    assertThat(redis.type("__mb_backlog_n_/foo")).isEqualTo("zset");
    assertThat(members(redis.zrangeWithScores("__mb_backlog_n_/foo", 0, -1)))
        .containsExactly("1 " + FOO_STORED);
    assertThat(redis.ttl("__mb_backlog_n_/foo")).isEqualTo(WEEK);
    assertThat(redis.get("__mb_backlog_id_n_/foo|bar$|$s1")).isEqualTo("1");
    assertThat(members(redis.zrangeWithScores("__mb_backlog_n_/foo|bar$|$s1", 0, -1)))
        .containsExactly("1 " + SITED_STORED);
    assertThat(members(redis.zrangeWithScores("__mb_backlog_n_/global/g", 0, -1)))
        .containsExactly("1 " + GLOBAL_STORED);
    assertThat(members(redis.zrangeWithScores("__mb_global_backlog_n", 0, -1)))
        .containsExactly("1 1|/foo", "2 1|/foo|bar$|$s1", "3 1|/global/g");
    assertThat(redis.ttl("__mb_global_backlog_n")).isEqualTo(WEEK);
    assertThat(redis.keys("*"))
        .containsExactlyInAnyOrder(
            "__mb_global_id_n",
            "__mb_global_backlog_n",
            "__mb_backlog_id_n_/foo",
            "__mb_backlog_n_/foo",
            "__mb_backlog_id_n_/foo|bar$|$s1",
            "__mb_backlog_n_/foo|bar$|$s1",
            "__mb_backlog_id_n_/global/g",
            "__mb_backlog_n_/global/g");
  }

  @Test
  void javaPublish_announcesTheStoredBytesOnTheNotificationChannel() throws Exception {
    MessageBus bus = bus();
    LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
    StatefulRedisPubSubConnection<String, String> sub = rawSubscriber(heard);
    try {
      bus.publish("/foo", fooData(), PublishOptions.builder().userIds(1, "2").build());

      assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo(FOO_STORED);
    } finally {
      sub.close();
    }
  }

  /** Writes what Ruby's publish script writes for the three Appendix A publishes. */
  private void writeAsRuby() {
    redis.set("__mb_global_id_n", "3");
    redis.set("__mb_backlog_id_n_/foo", "1", SetArgs.Builder.ex(WEEK));
    redis.zadd("__mb_backlog_n_/foo", 1, FOO_STORED);
    redis.set("__mb_backlog_id_n_/foo|bar$|$s1", "1", SetArgs.Builder.ex(WEEK));
    redis.zadd("__mb_backlog_n_/foo|bar$|$s1", 1, SITED_STORED);
    redis.set("__mb_backlog_id_n_/global/g", "1", SetArgs.Builder.ex(WEEK));
    redis.zadd("__mb_backlog_n_/global/g", 1, GLOBAL_STORED);
    redis.zadd("__mb_global_backlog_n", 1, "1|/foo");
    redis.zadd("__mb_global_backlog_n", 2, "1|/foo|bar$|$s1");
    redis.zadd("__mb_global_backlog_n", 3, "1|/global/g");
  }

  @Test
  void rubyWrites_decodeInJavaWithTheSameIds() {
    writeAsRuby();
    MessageBus bus = bus();

    List<Message> foo = bus.backlog("/foo", 0);
    assertThat(foo).hasSize(1);
    assertThat(foo.get(0).globalId()).isEqualTo(1);
    assertThat(foo.get(0).messageId()).isEqualTo(1);
    assertThat(foo.get(0).data()).isEqualTo(Map.of("a", 1L, "s", TRICKY));
    assertThat(foo.get(0).userIds()).containsExactly(1L, "2");
    List<Message> sited = bus.backlog("/foo|bar", 0, "s1");
    assertThat(sited).extracting(Message::data).containsExactly("x");
    assertThat(sited.get(0).siteId()).isEqualTo("s1");
    assertThat(bus.globalBacklog(0))
        .extracting(Message::globalId, Message::messageId, Message::channel)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, 1L, "/foo"),
            org.assertj.core.groups.Tuple.tuple(2L, 1L, "/foo|bar"),
            org.assertj.core.groups.Tuple.tuple(3L, 1L, "/global/g"));
    assertThat(bus.globalBacklog(0).get(2).clientIds()).containsExactly("abc");

    // A Java publish continues Ruby's sequences.
    assertThat(bus.publish("/foo", "next")).isEqualTo(2);
    assertThat(bus.globalBacklog(3)).extracting(Message::globalId).containsExactly(4L);
  }

  @Test
  void rubyNotification_reachesJavaSubscriberDecoded() throws Exception {
    MessageBus bus = bus();
    LinkedBlockingQueue<Message> got = new LinkedBlockingQueue<>();
    bus.subscribe("/foo", got::add);
    // What Ruby's script does for its first publish, as one transaction.
    redis.multi();
    redis.set("__mb_global_id_n", "1");
    redis.set("__mb_backlog_id_n_/foo", "1", SetArgs.Builder.ex(WEEK));
    redis.zadd("__mb_backlog_n_/foo", 1, FOO_STORED);
    redis.zadd("__mb_global_backlog_n", 1, "1|/foo");
    redis.publish(NOTIFICATIONS, FOO_STORED);
    redis.exec();

    Message m = got.poll(10, TimeUnit.SECONDS);
    assertThat(m).isNotNull();
    assertThat(m.globalId()).isEqualTo(1);
    assertThat(m.data()).isEqualTo(Map.of("a", 1L, "s", TRICKY));
  }

  @Test
  void retention_followsTheScriptArithmeticAndPerPublishAge() {
    RedisBackend backend =
        RedisBackend.builder()
            .uri(RedisTestSupport.uri(DB))
            .retention(
                org.messagebus.spi.Retention.builder()
                    .maxBacklogSize(2)
                    .maxGlobalBacklogSize(3)
                    .clearEvery(3)
                    .build())
            .build();
    MessageBus bus = MessageBus.builder().backend(backend).keepaliveInterval(Duration.ZERO).build();
    buses.add(bus);
    List<List<Long>> channelIds = new ArrayList<>();
    List<List<Long>> globalIds = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      bus.publish("/c", i);
      channelIds.add(bus.backlog("/c", 0).stream().map(Message::messageId).toList());
      globalIds.add(
          redis.zrangeWithScores("__mb_global_backlog_n", 0, -1).stream()
              .map(sv -> (long) sv.getScore())
              .toList());
    }

    // Trimming runs only when the id is a multiple of clearEvery, then keeps the newest N.
    assertThat(channelIds)
        .containsExactly(
            List.of(1L),
            List.of(1L, 2L),
            List.of(2L, 3L),
            List.of(2L, 3L, 4L),
            List.of(2L, 3L, 4L, 5L),
            List.of(5L, 6L));
    assertThat(globalIds.get(4)).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(globalIds.get(5)).containsExactly(4L, 5L, 6L);

    bus.publish(
        "/aged", "x", PublishOptions.builder().maxBacklogAge(Duration.ofSeconds(90)).build());
    assertThat(redis.ttl("__mb_backlog_n_/aged")).isBetween(85L, 90L);
    assertThat(redis.ttl("__mb_backlog_id_n_/aged")).isBetween(85L, 90L);
    // SPEC §3.2.2 QUIRK, kept for interop: the global backlog takes the age of the last publish.
    assertThat(redis.ttl("__mb_global_backlog_n")).isBetween(85L, 90L);
  }

  // ---------------------------------------------------------------- gaps and duplicates

  private static String stored(long gid, long mid, String channel, String data) {
    return gid + "|" + mid + "|" + channel + "|{\"data\":\"" + data + "\"," + rest();
  }

  @Test
  void missedNotification_isFilledFromGlobalBacklogAndDuplicateIsDropped() throws Exception {
    MessageBus bus = bus();
    LinkedBlockingQueue<Message> got = new LinkedBlockingQueue<>();
    bus.subscribe("/g", got::add);
    bus.publish("/g", "a");
    // Message 2 is stored as the script would, but its notification is lost.
    redis.incr("__mb_global_id_n");
    redis.incr("__mb_backlog_id_n_/g");
    redis.zadd("__mb_backlog_n_/g", 2, stored(2, 2, "/g", "b"));
    redis.zadd("__mb_global_backlog_n", 2, "2|/g");
    bus.publish("/g", "c");
    // A notification heard twice (message 2 again) must not be delivered twice.
    redis.publish(NOTIFICATIONS, stored(2, 2, "/g", "b"));
    bus.publish("/g", "d");

    List<Object> data = new ArrayList<>();
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Message m = got.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("message %s", i + 1).isNotNull();
      data.add(m.data());
      ids.add(m.globalId());
    }
    assertThat(data).containsExactly("a", "b", "c", "d");
    assertThat(ids).containsExactly(1L, 2L, 3L, 4L);
    bus.publish("/g", "e");
    assertThat(got.poll(10, TimeUnit.SECONDS).data()).isEqualTo("e");
  }

  @Test
  void gapWhoseMessagesWereTrimmed_deliversTheNotifiedMessageAndSkipsTheLostOne() throws Exception {
    MessageBus bus = bus();
    LinkedBlockingQueue<Message> got = new LinkedBlockingQueue<>();
    bus.subscribe("/g", got::add);
    // Message 3 exists only as a notification: heard only once the subscription is up.
    await().atMost(Duration.ofSeconds(10)).until(bus::isListening);
    bus.publish("/g", "a");
    // Message 2 was missed and trimmed from its channel; message 3 is announced but already
    // trimmed everywhere (a burst with tiny backlogs): only its notification still has it.
    redis.set("__mb_global_id_n", "3");
    redis.set("__mb_backlog_id_n_/g", "3");
    redis.zadd("__mb_global_backlog_n", 2, "2|/g");
    redis.publish(NOTIFICATIONS, stored(3, 3, "/g", "c"));
    bus.publish("/g", "d");

    List<Object> data = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Message m = got.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("message %s", i + 1).isNotNull();
      data.add(m.data() + "@" + m.globalId());
    }
    assertThat(data).containsExactly("a@1", "c@3", "d@4");
  }

  // ---------------------------------------------------------------- unsubscribe hazard

  @Test
  void foreignUnsubscribeToken_doesNotSilenceJavaSubscriber() throws Exception {
    MessageBus bus = bus();
    LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
    bus.subscribe("/chat", m -> got.add(m.data()));

    // What a Ruby process's destroy / global_unsubscribe broadcasts.
    redis.publish(NOTIFICATIONS, "$$UNSUBSCRIBE");
    bus.publish("/chat", "still here");

    assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("still here");
    // The dispatch thread starts in the background; it delivered, so it is (or is about to be) up.
    await().atMost(Duration.ofSeconds(10)).until(bus::isListening);
  }

  @Test
  void closingOneBus_neitherBroadcastsUnsubscribeNorStopsAnother() throws Exception {
    MessageBus closing = bus();
    MessageBus staying = bus();
    closing.subscribe("/chat", m -> {});
    LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
    staying.subscribe("/chat", m -> got.add(m.data()));
    LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
    StatefulRedisPubSubConnection<String, String> sub = rawSubscriber(heard);
    try {
      closing.close();
      staying.publish("/chat", "after close");

      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("after close");
      // The first thing on the wire after the close is that message, not $$UNSUBSCRIBE.
      assertThat(heard.poll(10, TimeUnit.SECONDS)).endsWith("\"data\":\"after close\"," + rest());
    } finally {
      sub.close();
    }
  }

  private static String rest() {
    return "\"user_ids\":null,\"group_ids\":null,\"client_ids\":null}";
  }

  private StatefulRedisPubSubConnection<String, String> rawSubscriber(
      LinkedBlockingQueue<String> heard) {
    StatefulRedisPubSubConnection<String, String> c = RedisTestSupport.pubSub(DB);
    c.addListener(
        new RedisPubSubAdapter<String, String>() {
          @Override
          public void message(String channel, String message) {
            heard.add(message);
          }
        });
    c.sync().subscribe(NOTIFICATIONS);
    return c;
  }
}
