// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.messagebus.Message;
import org.messagebus.diagnostics.Diagnostics;

/** SPEC §6.2 and §10.2 items 8–12, over a real Jetty. Admins send the header {@code X-Admin}. */
class DiagnosticsRoutesTest {

  private static ServerFixture f;
  private static ServerFixture based;
  private static ServerFixture noLookups;

  @BeforeAll
  static void start() {
    f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .isAdminLookup(req -> req.getHeader("X-Admin") != null)
                .userIdLookup(req -> req.getHeader("X-User")));
    based =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .baseRoute("/base/route/")
                .isAdminLookup(req -> req.getHeader("X-Admin") != null));
    noLookups = ServerFixture.start(HttpTransportOptions.builder());
  }

  @AfterAll
  static void stop() {
    f.close();
    based.close();
    noLookups.close();
  }

  private static HttpResponse<String> get(ServerFixture s, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(s.uri(path)).GET();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return s.send(b.build());
  }

  @Test
  void withoutAdmin_every_route_is403() throws Exception {
    for (String path :
        List.of(
            "/message-bus/_diagnostics",
            "/message-bus/_diagnostics/discover",
            "/message-bus/_diagnostics/assets/diagnostics.js",
            "/message-bus/_diagnostics/nothing")) {
      HttpResponse<String> r = get(f, path);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(r.body()).isEqualTo("not allowed");
    }
    assertThat(get(noLookups, "/message-bus/_diagnostics", "X-Admin", "1").statusCode())
        .isEqualTo(403);
  }

  @Test
  void withAdmin_thePageIsServed_andItsScriptToo() throws Exception {
    HttpResponse<String> page = get(f, "/message-bus/_diagnostics", "X-Admin", "1");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
    assertThat(page.body())
        .contains("<div id=\"app\" data-bus-path=\"/message-bus/\" data-dashboard=\"true\">")
        .containsPattern("src=\"/message-bus/_diagnostics/assets/diagnostics.js\\?[0-9a-f]{40}\"");

    HttpResponse<String> script =
        get(f, "/message-bus/_diagnostics/assets/diagnostics.js", "X-Admin", "1");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type"))
        .hasValue("application/javascript;charset=UTF-8");
    assertThat(script.body()).contains("Message Bus Diagnostics", "Discover Processes", "HUP");
  }

  @Test
  void theBaseRouteIsHonoured() throws Exception {
    HttpResponse<String> page = get(based, "/base/route/message-bus/_diagnostics", "X-Admin", "1");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("data-bus-path=\"/base/route/message-bus/\"")
        .contains("src=\"/base/route/message-bus/_diagnostics/assets/diagnostics.js?");
  }

  @Test
  void unknownAssets_andPathsOutsideTheWhitelist_are404() throws Exception {
    for (String path :
        List.of(
            "/message-bus/_diagnostics/",
            "/message-bus/_diagnostics/assets/react.js",
            "/message-bus/_diagnostics/assets/../Gemfile",
            "/message-bus/_diagnostics/assets/%2e%2e/pom.xml",
            "/message-bus/_diagnosticsx")) {
      HttpResponse<String> r = get(f, path, "X-Admin", "1");
      assertThat(r.statusCode()).as(path).isIn(400, 404);
      assertThat(r.body()).as(path).doesNotContain("<project").doesNotContain("Exception");
    }
    assertThat(get(f, "/message-bus/_diagnostics/nothing", "X-Admin", "1").statusCode())
        .isEqualTo(404);
  }

  @Test
  void discover_asksEveryProcess_andTheAnswerReachesTheAdminOnly() throws Exception {
    Diagnostics diagnostics = Diagnostics.builder(f.bus).hostname("web-1").enable();
    try {
      HttpResponse<String> r =
          f.send(
              HttpRequest.newBuilder(f.uri("/message-bus/_diagnostics/discover"))
                  .header("X-Admin", "1")
                  .header("X-User", "42")
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
      // the answer is targeted at user 42: their browser sees it, another user's does not
      String form = Diagnostics.DISCOVERY_CHANNEL + "=0";
      List<Map<String, Object>> forAdmin =
          org.awaitility.Awaitility.await()
              .until(() -> f.pollNow("admin", form, "X-User", "42"), l -> !l.isEmpty());
      assertThat(forAdmin).hasSize(1);
      assertThat(((Map<?, ?>) forAdmin.get(0).get("data")).get("hostname")).isEqualTo("web-1");
      List<Map<String, Object>> forOther = f.pollNow("other", form, "X-User", "7");
      assertThat(forOther).extracting(m -> m.get("channel")).containsOnly("/__status");
    } finally {
      diagnostics.close();
    }
  }

  @Test
  void discoverWithoutAUser_is400() throws Exception {
    HttpResponse<String> r =
        f.send(
            HttpRequest.newBuilder(f.uri("/message-bus/_diagnostics/discover"))
                .header("X-Admin", "1")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("userIdLookup");
  }

  @Test
  void hup_publishesARestartRequest() throws Exception {
    BlockingQueue<Message> requests = new LinkedBlockingQueue<>();
    f.bus.subscribe(Diagnostics.HUP_CHANNEL, requests::add);
    HttpResponse<String> r =
        f.send(
            HttpRequest.newBuilder(f.uri("/message-bus/_diagnostics/hup/web-1/4242"))
                .header("X-Admin", "1")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(r.statusCode()).isEqualTo(200);
    Message m = requests.poll(10, TimeUnit.SECONDS);
    assertThat(m).isNotNull();
    assertThat(m.data()).isEqualTo(Map.of("hostname", "web-1", "pid", 4242L));

    HttpResponse<String> bad =
        f.send(
            HttpRequest.newBuilder(f.uri("/message-bus/_diagnostics/hup/web-1/notanumber"))
                .header("X-Admin", "1")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("pid");
  }
}
