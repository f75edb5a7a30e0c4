// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One identity cannot take every held-poll slot: past its cap, a poll that would be held gets 429
 * with {@code Retry-After} and a reason, while other identities are still held. The identity is the
 * user when known, else the address (from forwarding headers only when the peer is a trusted proxy;
 * loopback is trusted by default, which these tests use to stand for different addresses).
 */
class HeldPollLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String XFF = "X-Forwarded-For";

  private static CompletableFuture<HttpResponse<String>> hold(
      ServerFixture f, String clientId, String... headers) {
    String[] all = new String[headers.length + 2];
    System.arraycopy(headers, 0, all, 0, headers.length);
    all[headers.length] = "Dont-Chunk";
    all[headers.length + 1] = "1";
    return f.pollAsync("/message-bus/" + clientId + "/poll", "/x=", all);
  }

  private static HttpResponse<String> now(CompletableFuture<HttpResponse<String>> r)
      throws Exception {
    return r.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void awaitHeld(ServerFixture f, int n) {
    await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == n);
  }

  @Test
  void addressOverItsCap_gets429WithRetryAfter_whileAnotherAddressIsStillHeld() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .maxHeldPollsPerAddress(2)
                .longPollingInterval(Duration.ofSeconds(30)))) {
      CompletableFuture<HttpResponse<String>> a1 = hold(f, "a1", XFF, "203.0.113.7");
      CompletableFuture<HttpResponse<String>> a2 = hold(f, "a2", XFF, "203.0.113.7");
      awaitHeld(f, 2);

      HttpResponse<String> a3 = now(hold(f, "a3", XFF, "203.0.113.7"));
      assertThat(a3.statusCode()).isEqualTo(429);
      assertThat(a3.headers().firstValue("Retry-After")).hasValue("15");
      assertThat(a3.body()).isEqualTo("too many held polls for this address: at most 2");

      CompletableFuture<HttpResponse<String>> b1 = hold(f, "b1", XFF, "198.51.100.9");
      awaitHeld(f, 3);

      f.bus.publish("/x", "for all");
      for (CompletableFuture<HttpResponse<String>> held : List.of(a1, a2, b1)) {
        assertThat(now(held).statusCode()).isEqualTo(200);
        assertThat(ServerFixture.messages(now(held).body()))
            .extracting(m -> m.get("data"))
            .containsExactly("for all");
      }
    }
  }

  @Test
  void aNewPollOfAHeldClientId_replacesIt_evenAtTheCap() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .maxHeldPollsPerAddress(1)
                .longPollingInterval(Duration.ofSeconds(30)))) {
      CompletableFuture<HttpResponse<String>> first = hold(f, "tab", XFF, "203.0.113.7");
      awaitHeld(f, 1);

      CompletableFuture<HttpResponse<String>> second =
          f.pollAsync(
              "/message-bus/tab/poll", "/x=&__seq=2", XFF, "203.0.113.7", "Dont-Chunk", "1");

      // The old poll is answered [] (replaced); the new one is held, not refused.
      assertThat(now(first).body()).isEqualTo("[]");
      awaitHeld(f, 1);
      f.bus.publish("/x", "news");
      assertThat(now(second).statusCode()).isEqualTo(200);
      assertThat(now(second).body()).contains("news");
    }
  }

  @Test
  void slot_isGivenBack_whenTheHeldPollEnds() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .maxHeldPollsPerAddress(1)
                .longPollingInterval(Duration.ofSeconds(30)))) {
      CompletableFuture<HttpResponse<String>> first = hold(f, "c1", XFF, "203.0.113.7");
      awaitHeld(f, 1);
      f.bus.publish("/x", "one");
      assertThat(now(first).statusCode()).isEqualTo(200);

      CompletableFuture<HttpResponse<String>> next = hold(f, "c2", XFF, "203.0.113.7");
      awaitHeld(f, 1);
      f.bus.publish("/x", "two");
      assertThat(now(next).body()).contains("two");
    }
  }

  @Test
  void userOverItsCap_gets429_fromAnyAddress_whileAnotherUserIsHeld() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .maxHeldPollsPerUser(1)
                .userIdLookup(r -> r.getHeader("X-User"))
                .longPollingInterval(Duration.ofSeconds(30)))) {
      CompletableFuture<HttpResponse<String>> u7 =
          hold(f, "u7a", "X-User", "7", XFF, "203.0.113.1");
      awaitHeld(f, 1);

      HttpResponse<String> again = now(hold(f, "u7b", "X-User", "7", XFF, "198.51.100.2"));
      assertThat(again.statusCode()).isEqualTo(429);
      assertThat(again.body()).isEqualTo("too many held polls for this user: at most 1");

      CompletableFuture<HttpResponse<String>> u8 = hold(f, "u8", "X-User", "8", XFF, "203.0.113.1");
      awaitHeld(f, 2);
      f.bus.publish("/x", "hi");
      assertThat(now(u7).body()).contains("hi");
      assertThat(now(u8).body()).contains("hi");
    }
  }

  @Test
  void forwardingHeaders_fromAnUntrustedPeer_areIgnored() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .trustedProxies(List.of())
                .maxHeldPollsPerAddress(1)
                .longPollingInterval(Duration.ofSeconds(30)))) {
      CompletableFuture<HttpResponse<String>> held = hold(f, "d1", XFF, "203.0.113.7");
      awaitHeld(f, 1);

      // Another X-Forwarded-For (or Forwarded) does not make it another address.
      assertThat(now(hold(f, "d2", XFF, "198.51.100.9")).statusCode()).isEqualTo(429);
      assertThat(now(hold(f, "d3", "Forwarded", "for=198.51.100.10")).statusCode()).isEqualTo(429);
      f.bus.publish("/x", "still");
      assertThat(now(held).body()).contains("still");
    }
  }

  @Test
  void pollsAnsweredAtOnce_areNotLimited() throws Exception {
    try (ServerFixture f =
        ServerFixture.start(
            HttpTransportOptions.builder()
                .maxHeldPollsPerAddress(1)
                .longPollingInterval(Duration.ofSeconds(30)))) {
      CompletableFuture<HttpResponse<String>> held = hold(f, "e1");
      awaitHeld(f, 1);

      assertThat(f.pollNow("e2", "/x=")).isEmpty();
      f.bus.publish("/x", "done");
      assertThat(now(held).body()).contains("done");
    }
  }

  @Test
  void limitsAreOnByDefault_andBadValuesAreRejected() {
    HttpTransportOptions d = HttpTransportOptions.defaults();
    assertThat(d.maxHeldPollsPerUser()).isEqualTo(10);
    assertThat(d.maxHeldPollsPerAddress()).isEqualTo(50);
    assertThat(d.heldPollsRetryAfter()).isEqualTo(Duration.ofSeconds(15));
    assertThat(d.trustedProxies()).containsExactly("127.0.0.0/8", "::1");

    HttpTransportOptions.Builder b = HttpTransportOptions.builder();
    assertThatThrownBy(() -> b.maxHeldPollsPerUser(0)).hasMessageContaining("maxHeldPollsPerUser");
    assertThatThrownBy(() -> b.maxHeldPollsPerAddress(0))
        .hasMessageContaining("maxHeldPollsPerAddress");
    assertThatThrownBy(() -> b.heldPollsRetryAfter(Duration.ofMillis(1500)))
        .hasMessageContaining("heldPollsRetryAfter");
    assertThatThrownBy(() -> b.trustedProxies(List.of("proxy.example.com")))
        .hasMessageContaining("trustedProxies");
    assertThatThrownBy(() -> b.trustedProxies(List.of("10.0.0.0/33")))
        .hasMessageContaining("trustedProxies");
  }
}
