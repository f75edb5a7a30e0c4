// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;

/**
 * Every delivery mode (immediate poll, held long poll, stream) against every targeting case (user,
 * group, client id, site, {@code /global/}): the addressee receives the message, the outsider does
 * not (SPEC §5.3), on backlog replies and live pushes alike.
 */
class TargetingMatrixTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /**
   * A message for everyone, published after the targeted one on a channel every held poll also
   * subscribes to: deliveries to one client keep the publishing order, so a poll that has the
   * marker has had its chance at the targeted message — the polls end on it instead of at their
   * interval, which a loaded machine could reach before the publish.
   */
  private static final String MARKER = "/global/marker";

  private static final String MARKER_DATA = "marker";
  private static final String MARKER_PIECE_END = "\"data\":\"marker\"}]\r\n|\r\n";
  private static ServerFixture f;

  enum Mode {
    POLL,
    LONG_POLL,
    STREAM
  }

  /** Who polls: a client id and identity headers. */
  record Who(String clientId, String... headers) {
    @Override
    public String toString() {
      return clientId + Arrays.toString(headers);
    }
  }

  record Case(
      String name,
      String channel,
      PublishOptions options,
      Who addressee,
      Who outsider,
      boolean outsiderReceives) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void start() {
    MessageBus bus =
        MessageBus.builder().keepaliveInterval(Duration.ZERO).siteIdLookup(() -> "default").build();
    f =
        new ServerFixture(
            bus,
            HttpTransportOptions.builder()
                .longPollingInterval(Duration.ofSeconds(60))
                .userIdLookup(r -> r.getHeader("X-User"))
                .groupIdsLookup(
                    r ->
                        r.getHeader("X-Groups") == null
                            ? null
                            : List.of(r.getHeader("X-Groups").split(",")))
                .siteIdLookup(
                    r -> r.getHeader("X-Site") == null ? "default" : r.getHeader("X-Site"))
                .build());
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  static Stream<Arguments> matrix() {
    List<Case> cases =
        List.of(
            new Case(
                "user",
                "/t/user",
                PublishOptions.builder().userIds("7").build(),
                new Who("u7", "X-User", "7"),
                new Who("u8", "X-User", "8"),
                false),
            new Case(
                "group",
                "/t/group",
                PublishOptions.builder().groupIds("admins").build(),
                new Who("g1", "X-Groups", "staff,admins"),
                new Who("g2", "X-Groups", "users"),
                false),
            new Case(
                "client id",
                "/t/client",
                PublishOptions.builder().clientIds("c1").build(),
                new Who("c1"),
                new Who("c2"),
                false),
            new Case(
                "site",
                "/t/site",
                PublishOptions.builder().siteId("s1").build(),
                new Who("s1", "X-Site", "s1"),
                new Who("s2", "X-Site", "s2"),
                false),
            new Case(
                "global",
                "/global/t",
                PublishOptions.NONE,
                new Who("gs1", "X-Site", "s1"),
                new Who("gs2", "X-Site", "s2"),
                true));
    List<Arguments> args = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      for (Case c : cases) {
        args.add(Arguments.of(mode, c));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} / {1}")
  @MethodSource("matrix")
  void addresseeReceives_outsiderDoesNot(Mode mode, Case c) throws Exception {
    String data = mode + " " + c.name;
    List<Object> toAddressee;
    List<Object> toOutsider;
    switch (mode) {
      case POLL -> {
        long before = lastGlobal();
        f.bus.publish(c.channel, data, c.options);
        toAddressee = pollData(c.addressee, c.channel, before);
        toOutsider = pollData(c.outsider, c.channel, before);
      }
      case LONG_POLL -> {
        CompletableFuture<HttpResponse<String>> a = hold(c.addressee, c.channel);
        CompletableFuture<HttpResponse<String>> o = hold(c.outsider, c.channel);
        await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 2);
        f.bus.publish(c.channel, data, c.options);
        f.bus.publish(MARKER, MARKER_DATA);
        // Each poll ends with the first message it may have: the targeted one, or the marker
        // published after it (so the targeted one was withheld), never at its interval.
        toAddressee = dataOf(ServerFixture.messages(a.get(10, TimeUnit.SECONDS).body()));
        toOutsider = dataOf(ServerFixture.messages(o.get(10, TimeUnit.SECONDS).body()));
      }
      default -> {
        try (RawConnection a = stream(c.addressee, c.channel);
            RawConnection o = stream(c.outsider, c.channel)) {
          await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 2);
          f.bus.publish(c.channel, data, c.options);
          f.bus.publish(MARKER, MARKER_DATA);
          // Everything before the marker has been streamed (or withheld) once the marker is in.
          toAddressee = streamedData(a.awaitContains(MARKER_PIECE_END, WAIT));
          toOutsider = streamedData(o.awaitContains(MARKER_PIECE_END, WAIT));
        }
        // the streams end with their connections
      }
    }
    assertThat(toAddressee).containsExactly(data);
    if (c.outsiderReceives) {
      assertThat(toOutsider).containsExactly(data);
    } else {
      assertThat(toOutsider).isEmpty();
    }
    await().atMost(WAIT).until(() -> f.server.filter().heldPolls() == 0);
  }

  private static long lastGlobal() {
    return f.bus.backend().lastGlobalId();
  }

  /** Data of the messages after the given global id (the status message excluded). */
  private static List<Object> pollData(Who who, String channel, long afterGlobal) throws Exception {
    List<Map<String, Object>> m = f.pollNow(who.clientId, channel + "=0", who.headers);
    List<Object> data = new ArrayList<>();
    for (Map<String, Object> x : m) {
      if (!"/__status".equals(x.get("channel"))
          && ((Number) x.get("global_id")).longValue() > afterGlobal) {
        data.add(x.get("data"));
      }
    }
    return data;
  }

  private static CompletableFuture<HttpResponse<String>> hold(Who who, String channel) {
    List<String> headers = new ArrayList<>(List.of("Dont-Chunk", "true"));
    headers.addAll(List.of(who.headers));
    return f.pollAsync(
        "/message-bus/" + who.clientId + "/poll",
        channel + "=&" + MARKER + "=",
        headers.toArray(String[]::new));
  }

  private static RawConnection stream(Who who, String channel) throws Exception {
    List<String> headers = new ArrayList<>();
    for (int i = 0; i + 1 < who.headers.length; i += 2) {
      headers.add(who.headers[i] + ": " + who.headers[i + 1]);
    }
    return RawConnection.open(f.port())
        .send(
            RawConnection.post(
                "/message-bus/" + who.clientId + "/poll",
                "application/x-www-form-urlencoded",
                java.net.URLEncoder.encode(channel, java.nio.charset.StandardCharsets.UTF_8)
                    + "=&"
                    + java.net.URLEncoder.encode(MARKER, java.nio.charset.StandardCharsets.UTF_8)
                    + "=",
                headers.toArray(String[]::new)));
  }

  /** The data of the messages, the marker left out. */
  private static List<Object> dataOf(List<Map<String, Object>> messages) {
    return messages.stream()
        .filter(m -> !MARKER.equals(m.get("channel")))
        .map(m -> m.get("data"))
        .toList();
  }

  private static List<Object> streamedData(String raw) {
    List<Object> data = new ArrayList<>();
    for (String piece : Streams.pieces(raw)) {
      data.addAll(dataOf(ServerFixture.messages(piece)));
    }
    return data;
  }
}
