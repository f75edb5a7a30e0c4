// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.messagebus.Message;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * The loss signal on the real Redis, where a channel's ids are its own and consecutive, so the lost
 * range is exact: a position trimmed from the backlog, and ids restarted by another process (the
 * channel's keys deleted, as Ruby's reset or the keys' expiry do). Polls go over a socket to the
 * real server, with a recent window of 4 that must not hide either (the positions are outside it).
 * The bus uses database {@value RedisSupport#DB_LOSS} and a notification channel of its own.
 */
class LossSignalRedisTest {

  private static final int DB = RedisSupport.DB_LOSS;
  private static final String NOTIFICATIONS = "_message_bus_loss_signal_test";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final PublishOptions KEEP_3 = PublishOptions.builder().maxBacklogSize(3).build();

  private MessageBus bus;
  private MessageBusServer server;
  private RedisClient redisClient;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;
  private final LinkedBlockingQueue<Message> dispatched = new LinkedBlockingQueue<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws Exception {
    RedisSupport.requireRedis();
    RedisSupport.flushDb(DB);
    redisClient = RedisClient.create();
    connection =
        redisClient.connect(
            RedisURI.builder()
                .withHost(RedisSupport.HOST)
                .withPort(RedisSupport.PORT)
                .withDatabase(DB)
                .build());
    redis = connection.sync();
    bus =
        MessageBus.builder()
            .backend(
                RedisBackend.builder()
                    .uri(RedisSupport.uri(DB))
                    .notificationChannel(NOTIFICATIONS)
                    .build())
            .keepaliveInterval(Duration.ZERO)
            .build();
    server =
        MessageBusServer.builder(bus)
            .port(0)
            .httpOptions(
                HttpTransportOptions.builder()
                    .longPollingInterval(Duration.ofSeconds(20))
                    .recentWindowMessages(4)
                    .build())
            .build()
            .start();
    bus.subscribeAll(dispatched::add);
    awaitDispatched(bus.publish("/probe", "p"), "/probe");
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (bus != null) {
      bus.close();
    }
    if (connection != null) {
      connection.close();
      redisClient.shutdown();
    }
    RedisSupport.flushDb(DB);
  }

  private void awaitDispatched(long messageId, String channel) throws InterruptedException {
    while (true) {
      Message m = dispatched.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("%s %d dispatched", channel, messageId).isNotNull();
      if (m.channel().equals(channel) && m.messageId() == messageId) {
        return;
      }
    }
  }

  /** Publishes {@code n} messages keeping 3, each seen by the window; returns the last id. */
  private long publishKeeping3(String channel, String prefix, int n) throws InterruptedException {
    long id = 0;
    for (int i = 1; i <= n; i++) {
      id = bus.publish(channel, prefix + i, KEEP_3);
    }
    awaitDispatched(id, channel);
    return id;
  }

  private String poll(String query, String form) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/message-bus/c/poll?" + query))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Dont-Chunk", "true")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    HttpResponse<String> r =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private static String loss(String channel, String range) {
    return "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__loss\",\"data\":{\""
        + channel
        + "\":"
        + range
        + "}},";
  }

  @Test
  void trimmedPosition_namesTheExactRange_stockPollDoesNot() throws Exception {
    assertThat(publishKeeping3("/t", "m", 10)).isEqualTo(10); // keeps 8, 9, 10; the window 7..10

    String optedIn = poll("__loss=1", "/t=1");
    String stock = poll("dlp=f", "/t=1");

    assertThat(optedIn).startsWith(loss("/t", "{\"from\":2,\"to\":7}"));
    assertThat(optedIn).contains("\"m8\"", "\"m9\"", "\"m10\"").endsWith("{\"/t\":10}}]");
    assertThat(stock).doesNotContain("/__loss").contains("\"m8\"").doesNotContain("\"m7\"");
    assertThat(poll("__loss=1", "/t=8")).doesNotContain("/__loss").contains("\"m9\"");
  }

  @Test
  void idsRestartedByAnotherProcess_areReported_andTheNewNumberingIsDelivered() throws Exception {
    long old = publishKeeping3("/x", "old", 10);
    // Another process deletes the channel (Ruby's reset!, or its keys' expiry): ids restart at 1.
    redis.del("__mb_backlog_id_n_/x", "__mb_backlog_n_/x");
    assertThat(publishKeeping3("/x", "new", 5)).isEqualTo(5); // keeps 3, 4, 5

    String optedIn = poll("__loss=1", "/x=" + old);
    String stock = poll("", "/x=" + old);

    assertThat(optedIn).startsWith(loss("/x", "{\"from\":1,\"to\":2,\"reset\":true}"));
    assertThat(optedIn)
        .contains("\"new3\"", "\"new4\"", "\"new5\"")
        .doesNotContain("\"new2\"")
        .endsWith("{\"/x\":5}}]");
    assertThat(stock)
        .as("the stock reply: a status moving the client to the new newest id, no message")
        .isEqualTo(
            "[{\"global_id\":-1,\"message_id\":-1,\"channel\":\"/__status\",\"data\":{\"/x\":5}}]");
  }
}
