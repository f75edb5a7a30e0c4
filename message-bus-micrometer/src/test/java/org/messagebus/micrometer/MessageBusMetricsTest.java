// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.BackendException;
import org.messagebus.BackendState;
import org.messagebus.MessageBus;
import org.messagebus.cache.DistributedCache;
import org.messagebus.cache.DistributedCacheManager;
import org.messagebus.observe.BusObserver;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * The test of issue 15's "Done when": a {@link SimpleMeterRegistry} bound to a bus and its HTTP
 * engine served by a real Jetty; publishes, polls in each mode over a socket, a listener failure, a
 * backend outage and the distributed cache each move their meters by exactly what happened.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageBusMetricsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration INTERVAL = Duration.ofMillis(800);

  private final OutageBackend backend = new OutageBackend();
  private final MessageBus bus =
      MessageBus.builder()
          .backend(backend)
          .keepaliveInterval(Duration.ZERO)
          .dispatchLagSampleInterval(Duration.ZERO) // every own publish: exact lag counts
          .publishTimingSampleInterval(Duration.ZERO) // every publish timed: exact timer counts
          .build();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final MessageBusServer server =
      MessageBusServer.builder(bus)
          .port(0)
          .httpOptions(HttpTransportOptions.builder().longPollingInterval(INTERVAL).build())
          .build()
          .start();

  @AfterEach
  void stop() {
    server.close();
    bus.close();
  }

  private double publishes(String outcome) {
    return registry
        .get("messagebus.publishes")
        .tags("backend", "outage", "outcome", outcome)
        .functionCounter()
        .count();
  }

  private long timedPublishes(String outcome) {
    return registry
        .get("messagebus.publish.duration")
        .tags("backend", "outage", "outcome", outcome)
        .timer()
        .count();
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  private double functionCounter(String name) {
    return registry.get(name).functionCounter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  private double polls(String mode, String outcome) {
    return counter("messagebus.http.polls", "mode", mode, "outcome", outcome);
  }

  private HttpRequest.Builder poll(String clientId, String form) {
    return HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/message-bus/" + clientId + "/poll"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int bytes(HttpResponse<String> r) {
    return r.body().getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void eachMeterMoves_byWhatHappened() throws Exception {
    MessageBusMetrics busMetrics = MessageBusMetrics.bind(bus, registry);
    HttpEngineMetrics httpMetrics = HttpEngineMetrics.bind(server.filter().engine(), registry);

    // Subscriptions: ours two, and the HTTP engine's own.
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    bus.subscribe("/a", m -> received.add(m.data()));
    bus.subscribe(
        "/a",
        m -> {
          if ("boom".equals(m.data())) {
            throw new IllegalStateException("listener failure (test)");
          }
        });
    assertThat(gauge("messagebus.subscriptions")).isEqualTo(3);
    assertThat(gauge("messagebus.keepalive.healthy")).isEqualTo(1);
    assertThat(gauge("messagebus.backend.state")).isEqualTo(1);
    await().atMost(WAIT).until(bus::isListening);

    // Publishes, dispatch, the lag of our own messages, a listener failure.
    for (String data : new String[] {"one", "two", "boom"}) {
      bus.publish("/a", data);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
    }
    assertThat(publishes("ok")).isEqualTo(3);
    assertThat(timedPublishes("ok")).isEqualTo(3);
    assertThat(
            registry
                .get("messagebus.publish.duration")
                .tag("outcome", "ok")
                .timer()
                .totalTime(TimeUnit.NANOSECONDS))
        .isPositive();
    await().atMost(WAIT).until(() -> counter("messagebus.listener.failures") == 1);
    assertThat(counter("messagebus.dispatch.messages")).isEqualTo(3);
    Timer lag = registry.get("messagebus.dispatch.lag").timer();
    await().atMost(WAIT).until(() -> lag.count() == 3);

    // A plain poll with a backlog: data, its messages and exactly its bytes.
    HttpResponse<String> plain =
        send(
            poll("plain", "/a=0&dlp=t")
                .uri(
                    URI.create(
                        "http://127.0.0.1:" + server.port() + "/message-bus/plain/poll?dlp=t")));
    assertThat(plain.statusCode()).isEqualTo(200);
    // The poll is counted when the exchange ends, which may be just after the client has the reply.
    await().atMost(WAIT).until(() -> polls("poll", "data") == 1);
    assertThat(counter("messagebus.http.deliveries")).isEqualTo(3);
    assertThat(counter("messagebus.http.bytes")).isEqualTo(bytes(plain));

    // A long poll, held until a message arrives.
    long last = bus.lastId("/a");
    CompletableFuture<HttpResponse<String>> longPoll =
        http.sendAsync(
            poll("long", "/a=" + last).header("Dont-Chunk", "true").build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(WAIT).until(() -> gauge("messagebus.http.held") == 1);
    bus.publish("/a", "four");
    HttpResponse<String> answered = longPoll.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(answered.body()).contains("four");
    await().atMost(WAIT).until(() -> polls("long_poll", "data") == 1);
    assertThat(counter("messagebus.http.deliveries")).isEqualTo(4);
    assertThat(counter("messagebus.http.bytes")).isEqualTo(bytes(plain) + bytes(answered));
    assertThat(gauge("messagebus.http.held")).isZero();

    // A stream: the empty first piece, one live message, then the long-polling interval ends it.
    CompletableFuture<HttpResponse<String>> stream =
        http.sendAsync(
            poll("stream", "/a=" + bus.lastId("/a")).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(WAIT).until(() -> gauge("messagebus.http.held") == 1);
    bus.publish("/a", "five");
    HttpResponse<String> streamed = stream.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(streamed.body()).contains("five");
    await().atMost(WAIT).until(() -> polls("stream", "timeout") == 1);
    assertThat(counter("messagebus.http.deliveries")).isEqualTo(5);
    assertThat(counter("messagebus.http.bytes"))
        .isGreaterThanOrEqualTo(bytes(plain) + bytes(answered) + bytes(streamed));
    assertThat(functionCounter("messagebus.http.streams.cut.off")).isZero();

    // A bad request: a client error, in the mode it asked for.
    HttpResponse<String> bad =
        send(
            poll("bad", "__seq=abc&/a=0")
                .uri(
                    URI.create(
                        "http://127.0.0.1:" + server.port() + "/message-bus/bad/poll?dlp=t")));
    assertThat(bad.statusCode()).isEqualTo(400);
    await().atMost(WAIT).until(() -> polls("poll", "client_error") == 1);

    // The backend loses its store: state 0, a disconnect, publishes queued, polls answered 503.
    backend.goDown();
    assertThat(bus.backendState()).isEqualTo(BackendState.DISCONNECTED);
    assertThat(gauge("messagebus.backend.state")).isZero();
    assertThat(functionCounter("messagebus.backend.disconnects")).isEqualTo(1);
    assertThat(bus.publish("/a", "queued")).isEqualTo(MessageBus.NO_ID);
    assertThat(publishes("queued")).isEqualTo(1);
    assertThat(gauge("messagebus.backend.queued")).isEqualTo(1);
    backend.refuse = true;
    assertThatThrownBy(() -> bus.publish("/a", "refused")).isInstanceOf(BackendException.class);
    backend.refuse = false;
    assertThat(publishes("failed")).isEqualTo(1);
    HttpResponse<String> unavailable =
        send(
            poll("down", "/a=0")
                .uri(
                    URI.create(
                        "http://127.0.0.1:" + server.port() + "/message-bus/down/poll?dlp=t")));
    assertThat(unavailable.statusCode()).isEqualTo(503);
    await().atMost(WAIT).until(() -> polls("poll", "server_error") == 1);

    // It is back: state 1, a reconnect, the queue written and dispatched.
    backend.comeBack();
    assertThat(gauge("messagebus.backend.state")).isEqualTo(1);
    assertThat(functionCounter("messagebus.backend.reconnects")).isEqualTo(1);
    assertThat(gauge("messagebus.backend.queued")).isZero();
    assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("four");
    assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("five");
    assertThat(received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("queued");
    assertThat(counter("messagebus.dispatch.messages")).isEqualTo(6);
    assertThat(lag.count()).isEqualTo(5); // the queued message had no id to wait for

    // Publishing turned off.
    bus.off(true);
    bus.publish("/a", "nothing");
    bus.on();
    assertThat(publishes("disabled")).isEqualTo(1);
    assertThat(timedPublishes("disabled")).isEqualTo(1);
    assertThat(
            registry
                .get("messagebus.publish.duration")
                .tag("outcome", "disabled")
                .timer()
                .totalTime(TimeUnit.NANOSECONDS))
        .isZero(); // the backend was not asked
    assertThat(publishes("ok")).isEqualTo(5);
    assertThat(timedPublishes("ok")).isEqualTo(5);
    assertThat(counter("messagebus.listener.failures")).isEqualTo(1);

    // The distributed cache: a remote change, a hit, a miss.
    DistributedCacheManager one = DistributedCacheManager.builder(bus).build();
    DistributedCacheManager two = DistributedCacheManager.builder(bus).build();
    try {
      DistributedCache a = one.cache("metrics");
      DistributedCache b = two.cache("metrics");
      a.put("k", "v");
      await().atMost(WAIT).until(() -> counter("messagebus.cache.remote.changes") == 1);
      assertThat(b.get("k")).isEqualTo("v");
      assertThat(b.get("missing")).isNull();
      assertThat(counter("messagebus.cache.gets", "result", "hit")).isEqualTo(1);
      assertThat(counter("messagebus.cache.gets", "result", "miss")).isEqualTo(1);
    } finally {
      one.close();
      two.close();
    }

    // Closing the binders removes every meter.
    httpMetrics.close();
    busMetrics.close();
    assertThat(registry.getMeters()).isEmpty();
    bus.publish("/a", "unobserved");
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void aClosedBus_timesNothing_andABinderBindsSeveralRegistries_withItsTags() {
    MessageBusMetrics metrics = new MessageBusMetrics(bus, Tags.of("application", "test"));
    metrics.bindTo(registry);
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    metrics.bindTo(second); // counts into both
    bus.close();
    assertThatThrownBy(() -> bus.publish("/a", 1)).isInstanceOf(RuntimeException.class);
    // a closed bus is refused before the backend is asked: nothing is counted or timed
    assertThat(
            registry
                .get("messagebus.publishes")
                .tags("application", "test", "outcome", "failed")
                .functionCounter()
                .count())
        .isZero();
    assertThat(
            registry
                .get("messagebus.publish.duration")
                .tags("application", "test", "outcome", "failed")
                .timer()
                .count())
        .isZero();
    Gauge state = registry.get("messagebus.backend.state").tag("application", "test").gauge();
    assertThat(state.value()).isEqualTo(1);
    assertThat(second.get("messagebus.backend.state").gauge().value()).isEqualTo(1);
    metrics.close();
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
    assertThat(second.getMeters()).isEmpty();
  }

  @Test
  void theBackendsOwnEvents_moveTheirMeters() {
    MessageBusMetrics.bind(bus, registry);
    BusObserver reported = java.util.Objects.requireNonNull(backend.observer);
    // What the Redis and PostgreSQL backends report: two catch-ups, a dropped queued publish, a
    // message read from its row.
    reported.backendCatchUp(3);
    reported.backendCatchUp(2);
    reported.publishDropped();
    reported.largePayloadFetched();
    assertThat(counter("messagebus.backend.catchups", "backend", "outage")).isEqualTo(2);
    assertThat(counter("messagebus.backend.catchup.messages")).isEqualTo(5);
    assertThat(counter("messagebus.backend.publish.dropped")).isEqualTo(1);
    assertThat(counter("messagebus.backend.large.payloads")).isEqualTo(1);
  }

  @Test
  void theBackendTag_namesTheBackend() {
    assertThat(MessageBusMetrics.backendTag(bus)).isEqualTo("outage");
    try (MessageBus memory = MessageBus.builder().build()) {
      assertThat(MessageBusMetrics.backendTag(memory)).isEqualTo("memory");
    }
  }

  @Test
  void counterTypes_areAsDocumented() {
    MessageBusMetrics.bind(bus, registry);
    HttpEngineMetrics.bind(server.filter().engine(), registry);
    assertThat(registry.get("messagebus.dispatch.messages").meter()).isInstanceOf(Counter.class);
    assertThat(registry.get("messagebus.backend.reconnects").meter())
        .isInstanceOf(FunctionCounter.class);
    assertThat(registry.get("messagebus.http.polls").counters())
        .hasSize(4 * 10); // poll, long_poll, stream, sse
    assertThat(registry.get("messagebus.publishes").functionCounters()).hasSize(4);
    assertThat(registry.get("messagebus.publish.duration").timers()).hasSize(4);
  }

  @Test
  void byDefault_fastPublishesAreEachCounted_andTimedOnASample() {
    try (MessageBus sampled = MessageBus.builder().keepaliveInterval(Duration.ZERO).build()) {
      MessageBusMetrics.bind(sampled, registry);
      for (int i = 0; i < 5_000; i++) {
        sampled.publish("/a", i);
      }
      assertThat(
              registry
                  .get("messagebus.publishes")
                  .tags("backend", "memory", "outcome", "ok")
                  .functionCounter()
                  .count())
          .isEqualTo(5_000);
      // The first publish is always timed; 5,000 in-memory publishes come far faster than one a
      // millisecond, so most are not.
      assertThat(
              registry
                  .get("messagebus.publish.duration")
                  .tags("backend", "memory", "outcome", "ok")
                  .timer()
                  .count())
          .isBetween(1L, 4_999L);
    }
  }
}
