// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.messagebus.PublishOptions;

/**
 * Lookups written against the engine's request view ({@code ...FromRequest}) work with either
 * adapter; with them (and nothing else that needs a servlet container) AUTO picks the Jetty core
 * handler.
 */
class RequestViewLookupsTest {

  private static HttpTransportOptions.Builder options() {
    return HttpTransportOptions.builder()
        .userIdFromRequest(r -> r.header("X-User"))
        .groupIdsFromRequest(
            r -> r.header("X-Group") == null ? null : java.util.List.of(r.header("X-Group")))
        .extraResponseHeadersFromRequest(
            r -> Map.of("X-Seen-Method", r.method(), "X-Seen-Path", r.path()))
        .isAdminFromRequest(r -> "1".equals(r.header("X-Admin")));
  }

  @Test
  void viewLookups_identifyTheClient_andAutoPicksTheCoreHandler() throws Exception {
    try (ServerFixture f = ServerFixture.start(options())) {
      assertThat(f.server.adapter())
          .isEqualTo(
              ServerFixture.adapter() == MessageBusServer.Adapter.SERVLET
                  ? MessageBusServer.Adapter.SERVLET
                  : MessageBusServer.Adapter.JETTY_CORE);
      f.bus.publish("/t", "for alice", PublishOptions.builder().userIds("alice").build());
      f.bus.publish("/t", "for staff", PublishOptions.builder().groupIds("staff").build());

      assertThat(f.pollNow("a", "/t=0", "X-User", "alice"))
          .extracting(m -> m.get("data"))
          .contains("for alice")
          .doesNotContain("for staff");
      assertThat(f.pollNow("b", "/t=0", "X-User", "bob", "X-Group", "staff"))
          .extracting(m -> m.get("data"))
          .contains("for staff")
          .doesNotContain("for alice");

      HttpResponse<String> r = f.poll("/message-bus/c/poll?dlp=t", "/t=0");
      assertThat(r.headers().firstValue("X-Seen-Method")).hasValue("POST");
      assertThat(r.headers().firstValue("X-Seen-Path")).hasValue("/message-bus/c/poll");

      assertThat(
              f.send(
                      java.net.http.HttpRequest.newBuilder(f.uri("/message-bus/_diagnostics"))
                          .header("X-Admin", "1")
                          .build())
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              f.send(
                      java.net.http.HttpRequest.newBuilder(f.uri("/message-bus/_diagnostics"))
                          .build())
                  .statusCode())
          .isEqualTo(403);
    }
  }

  @Test
  void aServletLookup_replacesTheViewLookupOfItsKind_andSelectsTheFilter() {
    HttpTransportOptions o = options().userIdLookup(req -> req.getHeader("X-User")).build();
    assertThat(o.userIdFromRequest()).isNull();
    assertThat(o.userIdLookup()).isNotNull();
    assertThat(o.groupIdsFromRequest()).isNotNull();
    HttpTransportOptions back =
        options().userIdLookup(req -> "x").userIdFromRequest(r -> "y").build();
    assertThat(back.userIdLookup()).isNull();
  }
}
