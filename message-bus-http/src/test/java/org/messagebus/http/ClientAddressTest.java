// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The client address behind trusted proxies, and IP literals parsed without DNS. */
class ClientAddressTest {

  private static final List<ClientAddress.Range> PROXIES =
      ClientAddress.ranges("trustedProxies", List.of("10.0.0.0/8", "::1", "127.0.0.1"));

  /** A request from {@code peer} with the given headers (name → comma-joined value). */
  private static HttpRequestView request(String peer, Map<String, String> headers) {
    return request(peer, null, headers);
  }

  /**
   * The same, from a transport that has the peer's address at hand ({@code address}; null: none,
   * the engine parses {@code peer}); with an address, {@code peer} is not read.
   */
  private static HttpRequestView request(
      String peer, @Nullable InetAddress address, Map<String, String> headers) {
    return (HttpRequestView)
        Proxy.newProxyInstance(
            ClientAddressTest.class.getClassLoader(),
            new Class<?>[] {HttpRequestView.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "remoteInetAddress" -> address;
                  case "remoteAddress" -> {
                    if (address != null) {
                      throw new AssertionError("the text of an address the transport gave");
                    }
                    yield peer;
                  }
                  case "header" -> headers.get((String) args[0]);
                  case "headers" ->
                      headers.containsKey((String) args[0])
                          ? List.of(headers.get((String) args[0]))
                          : List.of();
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  private static String key(String peer, Map<String, String> headers) {
    return ClientAddress.key(request(peer, headers), PROXIES);
  }

  @Test
  void anAddressTheTransportHolds_givesTheSameKeys_withoutParsingItsText() throws Exception {
    InetAddress proxy = InetAddress.getByAddress(new byte[] {10, 1, 2, 3});
    InetAddress client = InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 9});
    InetAddress v6 = InetAddress.getByName("2001:db8:1:2:3:4:5:6");
    Map<String, String> none = Map.of();
    Map<String, String> forwarded = Map.of("X-Forwarded-For", "198.51.100.7");

    assertThat(ClientAddress.key(request("-", client, none), PROXIES)).isEqualTo("203.0.113.9");
    assertThat(ClientAddress.key(request("-", client, forwarded), PROXIES))
        .isEqualTo(key("203.0.113.9", forwarded))
        .isEqualTo("203.0.113.9");
    assertThat(ClientAddress.key(request("-", proxy, forwarded), PROXIES))
        .isEqualTo(key("10.1.2.3", forwarded))
        .isEqualTo("198.51.100.7");
    assertThat(ClientAddress.key(request("-", v6, none), PROXIES))
        .isEqualTo(key("2001:db8:1:2:3:4:5:6", none))
        .isEqualTo("2001:db8:1:2:0:0:0:0/64");
  }

  @Test
  void untrustedPeer_isTheClient_whateverItsHeadersSay() {
    assertThat(key("203.0.113.5", Map.of("X-Forwarded-For", "198.51.100.1")))
        .isEqualTo("203.0.113.5");
    assertThat(key("203.0.113.5", Map.of("Forwarded", "for=198.51.100.1")))
        .isEqualTo("203.0.113.5");
  }

  @Test
  void trustedProxies_areWalkedBack_toTheFirstUntrustedHop() {
    // The client forged the leftmost entry; our proxies added the rest.
    assertThat(key("10.0.0.2", Map.of("X-Forwarded-For", "1.2.3.4, 198.51.100.7, 10.0.0.9")))
        .isEqualTo("198.51.100.7");
    assertThat(key("127.0.0.1", Map.of("X-Forwarded-For", "10.1.1.1"))).isEqualTo("10.1.1.1");
    assertThat(key("10.0.0.2", Map.of())).isEqualTo("10.0.0.2");
  }

  @Test
  void forwarded_winsOverXForwardedFor_andItsSyntaxIsUnderstood() {
    assertThat(
            key(
                "10.0.0.2",
                Map.of(
                    "Forwarded",
                        "for=192.0.2.60;proto=http, for=\"198.51.100.17:4711\";by=10.0.0.2",
                    "X-Forwarded-For", "203.0.113.99")))
        .isEqualTo("198.51.100.17");
    assertThat(key("::1", Map.of("Forwarded", "For=\"[2001:db8:cafe::17]:4711\"")))
        .isEqualTo("2001:db8:cafe:0:0:0:0:0/64");
  }

  @Test
  void ipv6_countsPerSlash64_andMappedIpv4_isIpv4() {
    assertThat(key("2001:db8:1:2:aaaa::1", Map.of()))
        .isEqualTo(key("2001:db8:1:2:bbbb::9", Map.of()));
    assertThat(key("[2001:db8:1:2::1]", Map.of())).isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(key("::ffff:203.0.113.5", Map.of())).isEqualTo("203.0.113.5");
  }

  @Test
  void hopsThatAreNotAddresses_areTheirOwnKey_andNeverLookedUp() {
    assertThat(key("10.0.0.2", Map.of("X-Forwarded-For", "unknown"))).isEqualTo("unknown");
    assertThat(key("10.0.0.2", Map.of("Forwarded", "for=_hidden"))).isEqualTo("_hidden");
    assertThat(ClientAddress.literal("localhost")).isNull();
    assertThat(ClientAddress.literal("example.com")).isNull();
    assertThat(ClientAddress.literal("1.2.3")).isNull();
    assertThat(ClientAddress.literal("1.2.3.256")).isNull();
    assertThat(ClientAddress.literal("abcd")).isNull();
    assertThat(ClientAddress.literal("1::2::3")).isNull();
  }

  @Test
  void ranges_matchTheirPrefixOnly() {
    List<ClientAddress.Range> r = ClientAddress.ranges("x", List.of("192.168.0.0/23", "fd00::/8"));
    assertThat(r.get(0).contains(ClientAddress.literal("192.168.1.200"))).isTrue();
    assertThat(r.get(0).contains(ClientAddress.literal("192.168.2.1"))).isFalse();
    assertThat(r.get(1).contains(ClientAddress.literal("fdab::1"))).isTrue();
    assertThat(r.get(1).contains(ClientAddress.literal("fe80::1"))).isFalse();
    assertThat(r.get(1).contains(ClientAddress.literal("192.168.1.1"))).isFalse();
  }
}
