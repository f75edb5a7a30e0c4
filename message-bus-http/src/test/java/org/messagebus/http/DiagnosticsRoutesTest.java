// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.diagnostics.Diagnostics;
import org.messagebus.observe.BusObserver;

/** The admin-only diagnostics routes of the engine, without a container. */
class DiagnosticsRoutesTest {

  private final MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
  private final HttpEngine engine =
      new HttpEngine(
          bus,
          EngineOptions.builder()
              .timerThread(false)
              .isAdminLookup(x -> "1".equals(x.header("X-Admin")))
              .userIdLookup(x -> x.header("X-User"))
              .build());

  @AfterEach
  void close() {
    engine.close();
    bus.close();
  }

  private FakeExchange send(String path, FakeExchange x) {
    x.path = path;
    assertThat(engine.handle(x, path, path)).as("the bus's request").isTrue();
    return x;
  }

  private static FakeExchange get() {
    FakeExchange x = new FakeExchange();
    x.method = "GET";
    return x;
  }

  private static FakeExchange admin(FakeExchange x) {
    return x.withHeader("X-Admin", "1");
  }

  @Test
  void withoutAnAdmin_everyRouteIs403() {
    for (String path :
        List.of(
            "/message-bus/_diagnostics",
            "/message-bus/_diagnostics/assets/diagnostics.js",
            "/message-bus/_diagnostics/discover")) {
      FakeExchange x = send(path, get());
      assertThat(x.status()).as(path).isEqualTo(403);
      assertThat(x.body()).as(path).contains("not allowed");
    }
  }

  @Test
  void page_loadsTheScriptOfTheBusPath_withItsHash() {
    FakeExchange x = send("/message-bus/_diagnostics", admin(get()));
    assertThat(x.status()).isEqualTo(200);
    assertThat(x.responseHeader("Content-Type")).startsWith("text/html");
    assertThat(x.body())
        .contains("data-bus-path=\"/message-bus/\"")
        .containsPattern("/message-bus/_diagnostics/assets/diagnostics\\.js\\?[0-9a-f]{40}");
  }

  @Test
  void dashboardOn_statsJsonAnswers_andObservesTheBusAndTheEngine() {
    FakeExchange x = send("/message-bus/_diagnostics/stats.json", admin(get()));
    assertThat(x.status()).isEqualTo(200);
    assertThat(x.body()).contains("\"totals\"");
    assertThat(send("/message-bus/_diagnostics", admin(get())).body())
        .contains("data-dashboard=\"true\"");
    assertThat(bus.observer()).isNotSameAs(BusObserver.NOOP);
    assertThat(engine.observers().current()).isNotSameAs(HttpObserver.NOOP);
  }

  @Test
  void dashboardOff_statsJsonIs404_thePageSaysSo_andNothingObserves() {
    MessageBus quiet = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    HttpEngine off =
        new HttpEngine(
            quiet,
            EngineOptions.builder()
                .timerThread(false)
                .isAdminLookup(x -> "1".equals(x.header("X-Admin")))
                .dashboardEnabled(false)
                .build());
    try {
      String path = "/message-bus/_diagnostics/stats.json";
      FakeExchange stats = admin(get());
      stats.path = path;
      assertThat(off.handle(stats, path, path)).isTrue();
      assertThat(stats.status()).isEqualTo(404);
      assertThat(stats.body()).isEqualTo("not found");

      String pagePath = "/message-bus/_diagnostics";
      FakeExchange page = admin(get());
      page.path = pagePath;
      assertThat(off.handle(page, pagePath, pagePath)).isTrue();
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.body()).contains("data-dashboard=\"false\"");

      // Nobody observes: the bus's and the engine's event sites stay on their no-op observers.
      assertThat(quiet.observer()).isSameAs(BusObserver.NOOP);
      assertThat(off.observers().current()).isSameAs(HttpObserver.NOOP);
      // Still for admins only.
      FakeExchange visitor = get();
      visitor.path = path;
      assertThat(off.handle(visitor, path, path)).isTrue();
      assertThat(visitor.status()).isEqualTo(403);
    } finally {
      off.close();
      quiet.close();
    }
  }

  @Test
  void assets_knownOnesAreServed_othersAre404() {
    FakeExchange js = send("/message-bus/_diagnostics/assets/diagnostics.js", admin(get()));
    assertThat(js.status()).isEqualTo(200);
    assertThat(js.body()).isNotEmpty();
    for (String path :
        List.of(
            "/message-bus/_diagnostics/assets/nothing.js",
            "/message-bus/_diagnostics/assets/../pom.xml",
            "/message-bus/_diagnostics/elsewhere")) {
      FakeExchange x = send(path, admin(get()));
      assertThat(x.status()).as(path).isIn(400, 404);
      assertThat(x.body()).as(path).doesNotContain("<project");
    }
  }

  @Test
  void discover_needsPostAndAUser_andPublishesTheRequest() {
    assertThat(send("/message-bus/_diagnostics/discover", admin(get())).status()).isEqualTo(405);
    FakeExchange anonymous =
        send("/message-bus/_diagnostics/discover", admin(FakeExchange.post("")));
    assertThat(anonymous.status()).isEqualTo(400);
    assertThat(anonymous.body()).contains("userIdLookup");

    FakeExchange ok =
        send(
            "/message-bus/_diagnostics/discover",
            admin(FakeExchange.post("")).withHeader("X-User", "42"));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("ok");
    assertThat(bus.lastId(Diagnostics.DISCOVER_CHANNEL)).isEqualTo(1);
  }

  @Test
  void hup_takesAHostAndANumericPid() {
    FakeExchange ok = send("/message-bus/_diagnostics/hup/web-1/123", admin(FakeExchange.post("")));
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("ok");
    assertThat(bus.lastId(Diagnostics.HUP_CHANNEL)).isEqualTo(1);
    FakeExchange noPid = send("/message-bus/_diagnostics/hup/web-1", admin(FakeExchange.post("")));
    assertThat(noPid.status()).isEqualTo(400);
    assertThat(noPid.body()).contains("expected _diagnostics/hup/<hostname>/<pid>");
    FakeExchange badPid =
        send("/message-bus/_diagnostics/hup/web-1/abc", admin(FakeExchange.post("")));
    assertThat(badPid.status()).isEqualTo(400);
    assertThat(badPid.body()).contains("the pid must be a number");
  }
}
