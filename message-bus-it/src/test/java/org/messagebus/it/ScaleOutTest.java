// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.client.ClientMessage;
import org.messagebus.client.MessageBusClient;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * Scale-out (issue 13, item 7): {@value #NODES} server nodes on one Redis (database {@value
 * RedisSupport#DB_SCALEOUT}), {@value #CLIENTS} Java clients ({@code message-bus-client}) spread
 * over them, and every message published on node 0 only.
 *
 * <p>Each node is what a separate server process would be: its own {@link RedisBackend} (its own
 * Redis connections and pub/sub subscription), its own {@link MessageBus} and its own {@link
 * MessageBusServer} on its own port. They run in this one JVM for the test's sake; nothing is
 * shared between them but Redis (each bus keeps its own subscription, dispatch and held polls).
 * {@code message-bus-benchmarks/run-scaleout.sh} runs the same set-up as three processes.
 *
 * <p>Client {@code c} polls node {@code c % 3}, in one of three modes by {@code (c / 3) % 3} —
 * streaming, long polling without chunking ({@code Dont-Chunk}), or short polling (every {@code
 * SHORT_POLL}) — so each node serves each mode; four in five clients are logged in as one of four
 * users, the rest anonymous. Every client subscribes from position 0 to three channels of this run:
 * two public ones and one whose messages are each targeted at one or two user ids. {@value
 * #MESSAGES} messages go out in two halves: the second only once every client has received the
 * whole first half, so it is published while every client is polling and reaches the other nodes
 * through Redis's pub/sub. Last comes an untargeted closing message on each channel.
 *
 * <p>Asserted, for every client and channel: what it received is exactly, in publish order, the
 * messages it may see (every public one; a targeted one only if its user is among the targets) — so
 * each once, in order, and none it may not see. The closing message makes the last check complete:
 * a message is delivered in channel order, so nothing can still arrive before it.
 *
 * <p>Time: about 25 s on this project's loaded 2-core machine (each of the two waits allows 60 s).
 */
class ScaleOutTest {

  static final int NODES = 3;
  static final int CLIENTS = 30;
  static final int MESSAGES = 200;
  private static final int USERS = 4;
  private static final Duration LONG_POLL = Duration.ofSeconds(5);
  private static final Duration SHORT_POLL = Duration.ofMillis(300);
  private static final Duration DELIVERY = Duration.ofSeconds(60);

  /** One message as a client received it: channel, id and the publisher's number for it. */
  record Got(String channel, long messageId, int n) {}

  /** One published message, with the users it is targeted at (empty: public). */
  record Sent(String channel, int n, List<Long> users) {}

  @Test
  void threeNodesOnOneRedis_everyClientGetsWhatItMaySee_once_inOrder() throws Exception {
    RedisSupport.requireRedis();
    String run = "/scale-" + Long.toHexString(System.nanoTime());
    List<String> channels = List.of(run + "/news", run + "/chat", run + "/private");
    String targeted = channels.get(2);

    List<MessageBus> buses = new ArrayList<>();
    List<MessageBusServer> servers = new ArrayList<>();
    List<MessageBusClient> clients = new ArrayList<>();
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    try {
      for (int i = 0; i < NODES; i++) {
        MessageBus bus =
            MessageBus.builder()
                .backend(
                    RedisBackend.builder().uri(RedisSupport.uri(RedisSupport.DB_SCALEOUT)).build())
                .keepaliveInterval(Duration.ZERO)
                .build();
        buses.add(bus);
        servers.add(
            MessageBusServer.builder(bus)
                .port(0)
                .httpOptions(
                    HttpTransportOptions.builder()
                        .longPollingInterval(LONG_POLL)
                        .userIdLookup(
                            r ->
                                r.getHeader("X-User") == null
                                    ? null
                                    : Long.valueOf(r.getHeader("X-User")))
                        .build())
                .build()
                .start());
      }

      Long[] userOf = new Long[CLIENTS];
      Map<Integer, List<Got>> received = new ConcurrentHashMap<>();
      for (int c = 0; c < CLIENTS; c++) {
        int node = c % NODES;
        int mode = (c / NODES) % 3;
        MessageBusClient.Builder b =
            MessageBusClient.builder(URI.create("http://127.0.0.1:" + servers.get(node).port()))
                .httpClient(http)
                .clientId("scale-c" + c)
                .longPolling(mode != 2)
                .chunkedEncoding(mode == 0)
                // short polling: every 300 ms instead of the default 60 s
                .backgroundCallbackInterval(SHORT_POLL);
        if (c % 5 != 4) {
          userOf[c] = (long) (c % USERS) + 1;
          b.header("X-User", String.valueOf(userOf[c]));
        }
        MessageBusClient client = b.build();
        clients.add(client);
        List<Got> got = new CopyOnWriteArrayList<>();
        received.put(c, got);
        for (String channel : channels) {
          client.subscribe(
              channel,
              0,
              (ClientMessage m) ->
                  got.add(
                      new Got(
                          m.channel(),
                          m.messageId(),
                          ((Number) ((Map<?, ?>) m.data()).get("n")).intValue())));
        }
      }

      // what is published, all on node 0
      MessageBus publisher = buses.get(0);
      List<Sent> sent = new ArrayList<>();
      for (int n = 0; n < MESSAGES; n++) {
        String channel = channels.get(n % channels.size());
        List<Long> users =
            channel.equals(targeted)
                ? (n % 2 == 0
                    ? List.of((long) (n % USERS) + 1)
                    : List.of((long) (n % USERS) + 1, (long) ((n + 1) % USERS) + 1))
                : List.of();
        sent.add(new Sent(channel, n, users));
      }
      for (int k = 0; k < channels.size(); k++) {
        sent.add(new Sent(channels.get(k), MESSAGES + k, List.of())); // the closing messages
      }

      int half = MESSAGES / 2;
      for (Sent s : sent.subList(0, half)) {
        publish(publisher, s);
      }
      await("every client has the first half")
          .atMost(DELIVERY)
          .until(
              () -> {
                for (int c = 0; c < CLIENTS; c++) {
                  if (received.get(c).size() < expected(sent.subList(0, half), userOf[c]).size()) {
                    return false;
                  }
                }
                return true;
              });
      for (Sent s : sent.subList(half, sent.size())) {
        publish(publisher, s);
      }
      await("every client has every closing message")
          .atMost(DELIVERY)
          .until(
              () -> {
                for (int c = 0; c < CLIENTS; c++) {
                  long closings = received.get(c).stream().filter(g -> g.n() >= MESSAGES).count();
                  if (closings < channels.size()) {
                    return false;
                  }
                }
                return true;
              });

      long deliveries = 0;
      for (int c = 0; c < CLIENTS; c++) {
        List<Got> got = received.get(c);
        deliveries += got.size();
        for (String channel : channels) {
          List<Integer> want =
              expected(sent, userOf[c]).stream()
                  .filter(s -> s.channel().equals(channel))
                  .map(Sent::n)
                  .toList();
          List<Got> onChannel = got.stream().filter(g -> g.channel().equals(channel)).toList();
          assertThat(onChannel.stream().map(Got::n).toList())
              .as(
                  "client %d (node %d, user %s) on %s: what it may see, once each, in order",
                  c, c % NODES, userOf[c], channel)
              .isEqualTo(want);
          for (int i = 1; i < onChannel.size(); i++) {
            assertThat(onChannel.get(i).messageId())
                .as("client %d on %s: ids grow", c, channel)
                .isGreaterThan(onChannel.get(i - 1).messageId());
          }
        }
      }
      System.out.printf(
          "[scale-out] %d nodes, %d clients, %d messages published on node 0: %d deliveries"
              + " checked%n",
          NODES, CLIENTS, sent.size(), deliveries);
    } finally {
      clients.forEach(MessageBusClient::close);
      for (MessageBusServer s : servers) {
        s.close();
      }
      for (MessageBus b : buses) {
        b.close();
      }
    }
  }

  private static void publish(MessageBus bus, Sent s) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("n", s.n());
    if (s.users().isEmpty()) {
      bus.publish(s.channel(), data);
    } else {
      bus.publish(s.channel(), data, PublishOptions.builder().userIds(s.users()).build());
    }
  }

  /** The messages a client of this user (null: anonymous) may see, in publish order. */
  private static List<Sent> expected(List<Sent> sent, Long user) {
    return sent.stream()
        .filter(s -> s.users().isEmpty() || (user != null && s.users().contains(user)))
        .toList();
  }
}
