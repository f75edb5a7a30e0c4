// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.sync.RedisCommands;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The recent-message window on the real Redis, counted with {@code INFO commandstats}: a poll at
 * the current position, a poll a few messages behind and a stream's backlog within the window make
 * no read command at all; a cold channel and a position older than the window do; a message written
 * by another process as Ruby writes it, and a restart of a channel's ids by another process, reach
 * a held poll without a read.
 *
 * <p>The counters are server-wide and never reset here (no {@code CONFIG RESETSTAT} on a shared
 * server): each check reads them before and after. The bus uses database {@value
 * RedisSupport#DB_RECENT_WINDOW} and a notification channel of its own, so no other bus's messages
 * reach it; nothing else is expected to read from this Redis while the test runs (the session's
 * rule: one engineer runs the Redis suites).
 */
class RecentWindowRedisTest {

  private static final int DB = RedisSupport.DB_RECENT_WINDOW;
  private static final String NOTIFICATIONS = "_message_bus_recent_window_test";
  private static final Duration WAIT = RecentWindowServer.WAIT;

  /** The commands a poll's reads use (lastIds, lastId, backlog, getMessage, global backlog). */
  private static final List<String> READS =
      List.of("mget", "get", "zrangebyscore", "zrange", "zrevrangebyscore", "exists", "evalsha");

  private RecentWindowServer served;
  private RedisSupport.Connection connection;
  private RedisCommands<String, String> redis;

  @BeforeEach
  void start() throws Exception {
    served = RecentWindowServer.onRedis(DB, NOTIFICATIONS);
    connection = RedisSupport.connect(DB);
    redis = connection.commands();
  }

  @AfterEach
  void stop() throws Exception {
    if (connection != null) {
      connection.close();
    }
    if (served != null) {
      served.close();
    }
  }

  private long publish(String channel, String data) throws InterruptedException {
    long id = served.bus().publish(channel, data);
    served.awaitDispatched(channel, id);
    return id;
  }

  private Map<String, Long> commandStats() {
    Map<String, Long> calls = new HashMap<>();
    for (String line : redis.info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      int colon = line.indexOf(':');
      String name = line.substring("cmdstat_".length(), colon);
      int at = line.indexOf("calls=", colon) + "calls=".length();
      int end = line.indexOf(',', at);
      calls.put(name, Long.parseLong(line.substring(at, end < 0 ? line.length() : end)));
    }
    return calls;
  }

  private static Map<String, Long> readsBetween(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> delta = new HashMap<>();
    for (String c : READS) {
      long d = after.getOrDefault(c, 0L) - before.getOrDefault(c, 0L);
      if (d != 0) {
        delta.put(c, d);
      }
    }
    return delta;
  }

  @Test
  void pollAtTheCurrentPosition_makesNoReadCommand_andGetsTheNextMessage() throws Exception {
    long last = publish("/a", "one");
    Map<String, Long> before = commandStats();

    CompletableFuture<HttpResponse<String>> poll = served.longPoll("c", "/a=" + last);
    served.awaitHeld(1);
    Map<String, Long> held = commandStats();
    publish("/a", "two");
    HttpResponse<String> r = poll.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(r.body()).contains("\"two\"").doesNotContain("\"one\"");
    assertThat(readsBetween(before, held)).as("registering the poll").isEmpty();
    // Between held and now: one publish (its EVALSHA) and the push; nothing else.
    Map<String, Long> pushed = readsBetween(held, commandStats());
    assertThat(pushed).containsOnlyKeys("evalsha").containsEntry("evalsha", 1L);
  }

  @Test
  void pollAFewMessagesBehind_makesNoReadCommand() throws Exception {
    long first = publish("/a", "one");
    publish("/a", "two");
    publish("/a", "three");
    Map<String, Long> before = commandStats();

    HttpResponse<String> r =
        served.longPoll("c", "/a=" + first).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(readsBetween(before, commandStats())).isEmpty();
    assertThat(r.body()).contains("\"two\"").contains("\"three\"").doesNotContain("\"one\"");
  }

  @Test
  void streamsBacklogWithinTheWindow_makesNoReadCommand() throws Exception {
    long first = publish("/a", "one");
    publish("/a", "two");
    Map<String, Long> before = commandStats();

    CompletableFuture<HttpResponse<Stream<String>>> stream =
        served
            .http()
            .sendAsync(
                served.pollRequest("c", "/a=" + first).build(),
                HttpResponse.BodyHandlers.ofLines());
    HttpResponse<Stream<String>> r = stream.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    String firstPiece = r.body().findFirst().orElseThrow();
    Map<String, Long> after = commandStats();

    assertThat(firstPiece).contains("\"two\"").doesNotContain("\"one\"");
    assertThat(readsBetween(before, after)).isEmpty();
  }

  @Test
  void coldChannel_andAPositionOlderThanTheWindow_readTheStore() throws Exception {
    long first = publish("/a", "m1");
    for (int i = 2; i <= 7; i++) {
      publish("/a", "m" + i); // the window keeps 4
    }
    Map<String, Long> before = commandStats();
    HttpResponse<String> older =
        served.longPoll("c1", "/a=" + first).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Map<String, Long> afterOlder = commandStats();
    assertThat(older.body()).contains("\"m2\"").contains("\"m7\"");
    assertThat(readsBetween(before, afterOlder)).containsKeys("mget", "zrangebyscore");

    CompletableFuture<HttpResponse<String>> cold = served.longPoll("c2", "/cold=0");
    served.awaitHeld(1);
    assertThat(readsBetween(afterOlder, commandStats())).containsKey("mget");
    publish("/cold", "warm now");
    assertThat(cold.get(WAIT.toSeconds(), TimeUnit.SECONDS).body()).contains("\"warm now\"");
  }

  @Test
  void messageWrittenAsRubyWritesIt_isServedFromTheWindow() throws Exception {
    long last = publish("/r", "java");
    // Another process publishes the next message of /r as Ruby's script does (SPEC §3.2.2).
    long globalId = Long.parseLong(redis.get("__mb_global_id_n")) + 1;
    String stored = globalId + "|" + (last + 1) + "|/r|{\"data\":\"ruby\"}";
    redis.multi();
    redis.set("__mb_global_id_n", Long.toString(globalId));
    redis.set("__mb_backlog_id_n_/r", Long.toString(last + 1));
    redis.zadd("__mb_backlog_n_/r", last + 1, stored);
    redis.zadd("__mb_global_backlog_n", globalId, (last + 1) + "|/r");
    redis.publish(NOTIFICATIONS, stored);
    redis.exec();
    served.awaitDispatched("/r", last + 1);
    Map<String, Long> before = commandStats();

    HttpResponse<String> r =
        served.longPoll("c", "/r=" + last).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(r.body()).contains("\"ruby\"");
    assertThat(readsBetween(before, commandStats())).isEmpty();
  }

  @Test
  void idsRestartedByAnotherProcess_reachAHeldPollAtItsOldPosition_withoutARead() throws Exception {
    publish("/x", "x1");
    long last = publish("/x", "x2");
    CompletableFuture<HttpResponse<String>> poll = served.longPoll("c", "/x=" + last);
    served.awaitHeld(1);

    // Another process (Ruby's reset!, or the channel's expiry) deletes the channel: its ids
    // restart at 1, below the held poll's position.
    redis.del("__mb_backlog_id_n_/x", "__mb_backlog_n_/x");
    Map<String, Long> before = commandStats();
    long restarted = publish("/x", "after restart");
    HttpResponse<String> r = poll.get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(restarted).isEqualTo(1);
    assertThat(r.body()).contains("\"after restart\"");
    assertThat(readsBetween(before, commandStats()))
        .as("the window saw the restart; no GET of the channel's id")
        .containsOnlyKeys("evalsha");

    // The next poll at the old position is ahead of the new ids: the store decides (a status).
    HttpResponse<String> next =
        served.longPoll("c", "/x=" + last).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(next.body()).contains("/__status").contains("\"/x\":1");
  }
}
