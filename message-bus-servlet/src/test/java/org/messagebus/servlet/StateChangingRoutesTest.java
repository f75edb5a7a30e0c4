// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The routes that change state — broadcast, diagnostics discover and hup — take POST only unless
 * {@code allowGetForActions}: a GET can be sent cross-site by any page (an image tag), so through a
 * signed-in administrator's browser it could publish or restart processes (CSRF). Ruby accepts any
 * method there (SPEC §4.10, §6.2).
 */
class StateChangingRoutesTest {

  private static HttpTransportOptions.Builder options() {
    return HttpTransportOptions.builder()
        .allowBroadcast(true)
        .isAdminLookup(req -> true)
        .userIdLookup(req -> 1);
  }

  private static HttpResponse<String> send(ServerFixture f, String method, String path)
      throws Exception {
    return f.send(
        HttpRequest.newBuilder(f.uri(path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "/message-bus/broadcast?channel=%2Fcsrf&data=x",
        "/message-bus/_diagnostics/discover",
        "/message-bus/_diagnostics/hup/web-1/4242"
      })
  void getOnARouteThatChangesState_is405_withAllowPost_andChangesNothing(String path)
      throws Exception {
    try (ServerFixture f = ServerFixture.start(options())) {
      long before = f.bus.lastId("/csrf");

      for (String method : new String[] {"GET", "PUT", "DELETE"}) {
        HttpResponse<String> r = send(f, method, path);
        assertThat(r.statusCode()).as(method).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        assertThat(r.body()).isEqualTo("this route changes state: use POST");
      }
      assertThat(f.bus.lastId("/csrf")).isEqualTo(before);

      assertThat(send(f, "POST", path).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void allowGetForActions_acceptsGet_asRubyDoes() throws Exception {
    try (ServerFixture f = ServerFixture.start(options().allowGetForActions(true))) {
      HttpResponse<String> r = send(f, "GET", "/message-bus/broadcast?channel=%2Fg&data=x");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("sent");
      assertThat(f.bus.lastId("/g")).isPositive();
      assertThat(send(f, "GET", "/message-bus/_diagnostics/discover").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theDiagnosticsPageAndItsAssets_stayGet() throws Exception {
    try (ServerFixture f = ServerFixture.start(options())) {
      assertThat(send(f, "GET", "/message-bus/_diagnostics").statusCode()).isEqualTo(200);
      assertThat(send(f, "GET", "/message-bus/_diagnostics/assets/diagnostics.js").statusCode())
          .isEqualTo(200);
    }
  }
}
