// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.messagebus.PublishOptions;
import org.messagebus.observe.BusObserver;

/**
 * The live dashboard's numbers ({@code _diagnostics/stats.json}) over a real Jetty: admins only,
 * and what this process did — publishes, dispatches, polls and deliveries, the busiest channels
 * with their backlog and last id, the backend — counted exactly. Admins send {@code X-Admin}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DashboardStatsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ServerFixture f =
      ServerFixture.start(
          HttpTransportOptions.builder().isAdminLookup(req -> req.getHeader("X-Admin") != null));

  @AfterEach
  void stop() {
    f.close();
  }

  private HttpResponse<String> stats(String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(f.uri("/message-bus/_diagnostics/stats.json")).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return f.send(b.build());
  }

  private JsonNode adminStats() throws Exception {
    HttpResponse<String> r = stats("X-Admin", "1");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
    assertThat(r.headers().firstValue("cache-control")).contains("no-store");
    return JSON.readTree(r.body());
  }

  @Test
  void statsJson_isForAdminsOnly() throws Exception {
    HttpResponse<String> r = stats();
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).isEqualTo("not allowed");
    try (ServerFixture noAdmin = ServerFixture.start(HttpTransportOptions.builder())) {
      HttpResponse<String> none =
          noAdmin.send(
              HttpRequest.newBuilder(noAdmin.uri("/message-bus/_diagnostics/stats.json"))
                  .header("X-Admin", "1")
                  .GET()
                  .build());
      assertThat(none.statusCode()).isEqualTo(403);
    }
  }

  @Test
  void dashboardOff_statsJsonIs404_andThePageListsProcessesOnly() throws Exception {
    try (ServerFixture off =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .isAdminLookup(req -> req.getHeader("X-Admin") != null)
                .dashboardEnabled(false))) {
      HttpResponse<String> none =
          off.send(
              HttpRequest.newBuilder(off.uri("/message-bus/_diagnostics/stats.json"))
                  .header("X-Admin", "1")
                  .GET()
                  .build());
      assertThat(none.statusCode()).isEqualTo(404);
      assertThat(none.body()).isEqualTo("not found");
      HttpResponse<String> page =
          off.send(
              HttpRequest.newBuilder(off.uri("/message-bus/_diagnostics"))
                  .header("X-Admin", "1")
                  .GET()
                  .build());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("data-dashboard=\"false\"");
      assertThat(off.bus.observer()).isSameAs(BusObserver.NOOP);
    }
    assertThat(f.bus.observer()).isNotSameAs(BusObserver.NOOP);
  }

  @Test
  void statsJson_countsWhatThisProcessDid() throws Exception {
    await().atMost(WAIT).until(() -> f.server.filter().engine().isListening());
    for (int i = 0; i < 5; i++) {
      f.bus.publish("/dash/a", "a" + i);
    }
    f.bus.publish("/dash/b", "b0");
    f.bus.publish("/dash/b", "b1", PublishOptions.builder().maxBacklogSize(1).build());
    await().atMost(WAIT).until(() -> adminStats().at("/totals/dispatched").asLong() == 7);

    // A plain poll of /dash/a from 0 gets its 5 messages.
    HttpResponse<String> poll = f.poll("/message-bus/c1/poll?dlp=t", "/dash/a=0");
    assertThat(ServerFixture.messages(poll.body())).hasSize(5);

    // The poll is counted when its exchange ends, which may be just after the client has the reply.
    await().atMost(WAIT).until(() -> adminStats().at("/totals/poll_outcomes/data").asLong() == 1);
    JsonNode s = adminStats();
    assertThat(s.at("/totals/publishes/ok").asLong()).isEqualTo(7);
    assertThat(s.at("/totals/publishes/failed").asLong()).isZero();
    assertThat(s.at("/totals/dispatched").asLong()).isEqualTo(7);
    assertThat(s.at("/totals/delivered").asLong()).isEqualTo(5);
    assertThat(s.at("/totals/bytes").asLong()).isEqualTo(poll.body().getBytes().length);
    assertThat(s.at("/totals/polls/poll").asLong()).isEqualTo(1);
    assertThat(s.at("/totals/poll_outcomes/data").asLong()).isEqualTo(1);
    assertThat(s.at("/current/held_polls").asInt()).isZero();
    assertThat(s.at("/current/websockets").asInt()).isZero();
    assertThat(s.at("/backend/name").asText()).isEqualTo("memory");
    assertThat(s.at("/backend/state").asText()).isEqualTo("connected");
    assertThat(s.at("/backend/queued").asInt()).isZero();
    assertThat(s.at("/backend/reconnects").asLong()).isZero();
    assertThat(s.at("/errors/listener_failures").asLong()).isZero();
    assertThat(s.at("/process/pid").asLong()).isEqualTo(ProcessHandle.current().pid());

    // The busiest channels: most messages first, with their backlog (b keeps one) and last id.
    List<String> rows = new ArrayList<>();
    for (JsonNode c : s.get("channels")) {
      rows.add(
          c.get("channel").asText()
              + " messages="
              + c.get("messages").asLong()
              + " backlog="
              + c.get("backlog").asInt()
              + " last="
              + c.get("last_id").asLong());
    }
    assertThat(rows)
        .containsExactly(
            "/dash/a messages=5 backlog=5 last=" + f.bus.lastId("/dash/a"),
            "/dash/b messages=2 backlog=1 last=" + f.bus.lastId("/dash/b"));

    // The series: one entry per second between samples, all of the same length.
    JsonNode series = s.get("series");
    int n = series.get("time").size();
    for (String k : List.of("publishes", "dispatched", "delivered", "held_polls", "errors")) {
      assertThat(series.get(k).size()).as(k).isEqualTo(n);
    }
  }

  @Test
  void statsJson_countsAListenerFailure_andAHeldPoll() throws Exception {
    await().atMost(WAIT).until(() -> f.server.filter().engine().isListening());
    f.bus.subscribe(
        "/dash/boom",
        m -> {
          throw new IllegalStateException("listener failure (test)");
        });
    f.bus.publish("/dash/boom", "x");
    await().atMost(WAIT).until(() -> adminStats().at("/errors/listener_failures").asLong() == 1);
    assertThat(adminStats().at("/errors/recent/0/kind").asText()).isEqualTo("listener_failed");

    var held =
        f.pollAsync(
            "/message-bus/c2/poll", "/dash/held=" + f.bus.lastId("/dash/held"), "Dont-Chunk", "t");
    await().atMost(WAIT).until(() -> adminStats().at("/current/held_polls").asInt() == 1);
    f.bus.publish("/dash/held", "now");
    assertThat(held.get(10, TimeUnit.SECONDS).body()).contains("now");
    await().atMost(WAIT).until(() -> adminStats().at("/totals/polls/long_poll").asLong() == 1);
    assertThat(adminStats().at("/current/held_polls").asInt()).isZero();
  }
}
