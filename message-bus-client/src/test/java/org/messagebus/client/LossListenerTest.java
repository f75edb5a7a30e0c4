// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.http.WebSocketOptions;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * The loss listener against our real server (memory backend, over a socket), on every transport: a
 * client subscribing at a position older than what the channel retains hears which ids are gone,
 * before the retained messages, each delivered once; a client without a listener sends the stock
 * requests.
 */
class LossListenerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final PublishOptions KEEP_3 = PublishOptions.builder().maxBacklogSize(3).build();

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<MessageBusClient> clients = new ArrayList<>();
  private final MessageBusServer server =
      MessageBusServer.builder(bus)
          .port(0)
          .httpOptions(
              HttpTransportOptions.builder()
                  .extraResponseHeadersFromRequest(
                      r -> {
                        String q = r.queryString();
                        requests.add(r.path() + (q == null ? "" : "?" + q));
                        return java.util.Map.of();
                      })
                  .build())
          .webSocket(WebSocketOptions.defaults())
          .build()
          .start();

  @AfterEach
  void stop() {
    clients.forEach(MessageBusClient::close);
    server.close();
    bus.close();
  }

  private MessageBusClient client(MessageBusClient.Transport transport, ClientLossListener loss) {
    MessageBusClient.Builder b =
        MessageBusClient.builder(URI.create("http://127.0.0.1:" + server.port() + "/"))
            .transport(transport)
            .minPollInterval(Duration.ofMillis(20))
            .maxPollInterval(Duration.ofMillis(500));
    if (loss != null) {
      b.lossListener(loss);
    }
    MessageBusClient c = b.build();
    clients.add(c);
    return c;
  }

  /**
   * Publishes 70 messages keeping 3: more than the server's recent window holds (64), which would
   * otherwise still deliver what the store trimmed.
   */
  private long[] seventyKeepingThree(String channel) {
    long[] ids = new long[70];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = bus.publish(channel, "m" + i, KEEP_3);
    }
    return ids;
  }

  private static Object next(BlockingQueue<Object> q) throws InterruptedException {
    Object o = q.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(o).as("an event within " + WAIT).isNotNull();
    return o;
  }

  @ParameterizedTest
  @EnumSource(MessageBusClient.Transport.class)
  void aTrimmedPosition_isReportedBeforeTheRetainedMessages(MessageBusClient.Transport transport)
      throws Exception {
    String channel = "/loss/" + transport;
    long[] ids = seventyKeepingThree(channel);
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    MessageBusClient c = client(transport, events::add);

    c.subscribe(channel, ids[0], m -> events.add(m.data()));

    assertThat(next(events)).isEqualTo(new ClientLoss(channel, ids[0] + 1, ids[67] - 1, false));
    assertThat(next(events)).isEqualTo("m67");
    assertThat(next(events)).isEqualTo("m68");
    assertThat(next(events)).isEqualTo("m69");
    bus.publish(channel, "m70", KEEP_3);
    assertThat(next(events)).as("live, with no further loss").isEqualTo("m70");
    assertThat(events).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = MessageBusClient.Transport.class,
      names = {"HTTP", "SERVER_SENT_EVENTS"})
  void withoutAListener_theRequestsDoNotAskForIt(MessageBusClient.Transport transport)
      throws Exception {
    String channel = "/stock/" + transport;
    long[] ids = seventyKeepingThree(channel);
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    MessageBusClient c = client(transport, null);

    c.subscribe(channel, ids[0], m -> events.add(m.data()));

    assertThat(next(events)).isEqualTo("m67");
    assertThat(requests).isNotEmpty().noneMatch(r -> r.contains("__loss"));
  }
}
