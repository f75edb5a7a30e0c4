// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.PublishOptions;
import org.messagebus.redis.RedisBackend;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;
import org.messagebus.spi.Backend;
import org.messagebus.spi.DaemonThreads;

/**
 * Targeting, checked delivery by delivery over every delivery path, on the memory backend and on
 * Redis (database {@value RedisSupport#DB_TARGETING}).
 *
 * <p>QuickTheories generates {@link TargetingScenario scenarios}: 2–6 subscribers with random
 * identities (user id as a JSON number or string, groups, site, client id) polling over HTTP
 * through a real Jetty with the real lookups (taken from request headers), each in one mode —
 * immediate polls ({@code dlp=t}), long polls ({@code Dont-Chunk}) or streams — starting from
 * position 0 (backlog) or -1 ({@code /__status}); and 10–60 messages with random user, group,
 * client-id, site and {@code /global/} targets (some withheld by a client message filter), part
 * published before the subscribers start and the rest by a concurrent publisher while they poll.
 * Each subscriber follows its positions from reply to reply, applying {@code /__status} after the
 * messages, as the JavaScript client does (see {@link PollingSubscriber}).
 *
 * <p>Properties, for every subscriber: every delivery is allowed (SPEC §5.3 permission rules and
 * the §1.1 site rules, by an oracle written independently of the server's); every allowed message
 * after its starting position is delivered exactly once; ids grow per channel; a {@code -1} start
 * is told a position between the channel's last id before and after the first poll; and a last
 * immediate poll after everything brings nothing new.
 *
 * <p>Time budget: at most 90 s for both backends on this project's 2-core machine ({@value
 * #SCENARIOS} scenarios each; 30–50 s in all); the number of deliveries checked is printed. {@code
 * -Dit.targeting.scenarios=N} changes the number of scenarios; {@code -DQT_SEED=<seed>} replays a
 * run.
 */
class TargetingPropertyTest {

  static final int SCENARIOS = Integer.getInteger("it.targeting.scenarios", 100);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LONG_POLL = Duration.ofMillis(700);

  @Test
  void memoryBackend_everyDeliveryAllowed_everyAllowedMessageExactlyOnce() throws Exception {
    check("memory", null);
  }

  @Test
  void redisBackend_everyDeliveryAllowed_everyAllowedMessageExactlyOnce() throws Exception {
    RedisSupport.requireRedis();
    RedisSupport.flushDb(RedisSupport.DB_TARGETING);
    try {
      check(
          "redis", RedisBackend.builder().uri(RedisSupport.uri(RedisSupport.DB_TARGETING)).build());
    } finally {
      RedisSupport.flushDb(RedisSupport.DB_TARGETING);
    }
  }

  private void check(String name, Backend backend) throws Exception {
    MessageBus.Builder builder = MessageBus.builder().keepaliveInterval(Duration.ZERO);
    if (backend != null) {
      builder.backend(backend);
    }
    long start = System.nanoTime();
    Counts counts = new Counts();
    try (MessageBus bus = builder.build()) {
      // a client message filter withholds "vetoed" messages from every web client (SPEC §2.7)
      bus.registerClientMessageFilter(
          "/", m -> !(m.data() instanceof Map<?, ?> d && Boolean.TRUE.equals(d.get("veto"))));
      MessageBusServer server =
          MessageBusServer.builder(bus)
              .port(0)
              .httpOptions(
                  HttpTransportOptions.builder()
                      .longPollingInterval(LONG_POLL)
                      .userIdLookup(TargetingPropertyTest::userId)
                      .groupIdsLookup(
                          r ->
                              r.getHeader("X-Groups-Json") == null
                                  ? null
                                  : parseList(r.getHeader("X-Groups-Json")))
                      .siteIdLookup(r -> r.getHeader("X-Site"))
                      .build())
              .build()
              .start();
      HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      try {
        qt().withExamples(SCENARIOS)
            .withShrinkCycles(20)
            .forAll(TargetingScenario.scenarios())
            .checkAssert(s -> run(bus, server.port(), http, s, counts));
      } finally {
        System.out.printf(
            "[targeting] %s: %d scenarios, %d deliveries checked (%d messages published, %d"
                + " polls) in %d s (budget 90 s for both backends on 2 cores)%n",
            name,
            counts.scenarios.get(),
            counts.deliveries.get(),
            counts.published.get(),
            counts.polls.get(),
            (System.nanoTime() - start) / 1_000_000_000);
        server.close();
      }
    }
  }

  /** The user lookup: a JSON value from a header, an integer boxed as the header says. */
  private static Object userId(jakarta.servlet.http.HttpServletRequest r) {
    String json = r.getHeader("X-User-Json");
    if (json == null) {
      return null;
    }
    try {
      Object id = JSON.readValue(json, Object.class);
      if (id instanceof Integer i && "true".equals(r.getHeader("X-User-As-Long"))) {
        return i.longValue();
      }
      return id;
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<?> parseList(String json) {
    try {
      return JSON.readValue(json, new TypeReference<List<Object>>() {});
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  static final class Counts {
    final AtomicInteger scenarios = new AtomicInteger();
    final AtomicLong deliveries = new AtomicLong();
    final AtomicLong published = new AtomicLong();
    final AtomicLong polls = new AtomicLong();
  }

  private static final AtomicInteger RUNS = new AtomicInteger();

  /** One published message: where it went, its id, and what it was generated as. */
  record Published(String channel, String site, long id, TargetingScenario.Msg msg, String key) {}

  private void run(MessageBus bus, int port, HttpClient http, TargetingScenario s, Counts counts) {
    int run = RUNS.incrementAndGet();
    counts.scenarios.incrementAndGet();
    String prefix = "/t" + run + "-" + Long.toHexString(System.nanoTime());
    List<String> channels = List.of(prefix + "/a", prefix + "/b", "/global" + prefix + "/g");
    List<String> clientIds = new ArrayList<>();
    for (int i = 0; i < s.subscribers().size(); i++) {
      clientIds.add("r" + run + "c" + i);
    }
    Map<String, Published> byKey = new HashMap<>();
    List<Published> published = new ArrayList<>();

    // the backlog part
    for (int i = 0; i < s.messages().size(); i++) {
      TargetingScenario.Msg m = s.messages().get(i);
      if (!m.live()) {
        publish(bus, channels, clientIds, m, "m" + i, false, byKey, published);
      }
    }

    // the subscribers, and what each channel's position was before they started
    Semaphore pollStarted = new Semaphore(0);
    PublishClock clock = new PublishClock();
    java.util.concurrent.CountDownLatch started =
        new java.util.concurrent.CountDownLatch(s.subscribers().size());
    List<PollingSubscriber> subs = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<Map<String, Long>> before = new ArrayList<>();
    for (int i = 0; i < s.subscribers().size(); i++) {
      TargetingScenario.Sub sub = s.subscribers().get(i);
      List<String> own = sub.channels().stream().map(channels::get).toList();
      Map<String, Long> last = new LinkedHashMap<>();
      for (String c : own) {
        last.put(c, bus.lastId(c, TargetingScenario.isGlobal(c) ? null : sub.site()));
      }
      before.add(last);
      PollingSubscriber ps =
          new PollingSubscriber(
              clientIds.get(i),
              sub,
              own,
              http,
              port,
              pollStarted,
              clock,
              started,
              Duration.ofSeconds(15));
      subs.add(ps);
      Thread t = DaemonThreads.newThread("subscriber-" + clientIds.get(i), ps);
      threads.add(t);

      t.start();
    }

    // the live part, published while the subscribers poll, once every subscriber knows where it
    // starts (a -1 start after the live messages would skip them all); each publish waits (briefly)
    // for another poll to start, so publishes land in the middle of polls
    try {
      assertThat(started.await(15, TimeUnit.SECONDS)).as("every subscriber started").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    for (int i = 0; i < s.messages().size(); i++) {
      TargetingScenario.Msg m = s.messages().get(i);
      if (m.live()) {
        try {
          pollStarted.tryAcquire(20, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
        publish(bus, channels, clientIds, m, "m" + i, true, byKey, published);
        clock.tick();
      }
    }
    // the fences: one untargeted message per channel and site, the last of each
    for (int c = 0; c < (s.global() ? 3 : 2); c++) {
      for (String site :
          c == 2 ? java.util.Collections.<String>singletonList(null) : TargetingScenario.SITES) {
        TargetingScenario.Msg fence =
            new TargetingScenario.Msg(c, site, null, null, null, false, true);
        publish(bus, channels, clientIds, fence, "fence" + c + "-" + site, true, byKey, published);
        clock.tick();
      }
    }
    Map<String, Long> lastAfter = new HashMap<>();
    for (int i = 0; i < s.subscribers().size(); i++) {
      for (String c : subs.get(i).positions.keySet()) {
        String site = TargetingScenario.isGlobal(c) ? null : s.subscribers().get(i).site();
        lastAfter.put(c + "|" + site, bus.lastId(c, site));
      }
    }
    for (Thread t : threads) {
      try {
        t.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      assertThat(t.isAlive()).as("subscriber thread %s still running", t.getName()).isFalse();
    }
    counts.published.addAndGet(published.size());

    // the properties
    List<String> violations = new ArrayList<>();
    for (int i = 0; i < subs.size(); i++) {
      PollingSubscriber ps = subs.get(i);
      counts.polls.addAndGet(ps.polls);
      counts.deliveries.addAndGet(ps.deliveries.size());
      String who = "sub" + i + " (" + ps.clientId + ")";
      ps.problems.forEach(p -> violations.add(who + ": " + p));
      TargetingScenario.Sub sub = s.subscribers().get(i);
      Map<String, Integer> times = new HashMap<>();
      Map<String, Long> lastIdSeen = new HashMap<>();
      for (PollingSubscriber.Delivery d : ps.deliveries) {
        Published p = byKey.get(d.key());
        if (p == null) {
          violations.add(who + ": got an unknown message " + d);
          continue;
        }
        if (!p.channel().equals(d.channel()) || p.id() != d.messageId()) {
          violations.add(who + ": got " + d + " but it was published as " + p);
        }
        if (!ps.positions.containsKey(d.channel())) {
          violations.add(who + ": got a message of a channel it does not follow: " + d);
        }
        int msgIndex = p.key().startsWith("m") ? Integer.parseInt(p.key().substring(1)) : -1;
        boolean allowed =
            msgIndex < 0 ? isFenceFor(p, sub) : s.allowed(i, s.messages().get(msgIndex));
        if (!allowed) {
          violations.add(who + ": got a message it may not see: " + p.key() + " " + p.msg());
        }
        if (d.afterFences()) {
          violations.add(who + ": the poll after everything still brought " + p.key());
        }
        times.merge(d.key(), 1, Integer::sum);
        Long had = lastIdSeen.put(d.channel(), d.messageId());
        if (had != null && had >= d.messageId()) {
          violations.add(
              who + ": ids went from " + had + " to " + d.messageId() + " on " + d.channel());
        }
      }
      times.forEach(
          (key, n) -> {
            if (n > 1) {
              violations.add(
                  who
                      + ": got "
                      + key
                      + " "
                      + n
                      + " times "
                      + byKey.get(key).msg()
                      + "; its last polls:\n      "
                      + ps.trace());
            }
          });
      for (String c : ps.positions.keySet()) {
        Long from = ps.startedAt.get(c);
        String site = TargetingScenario.isGlobal(c) ? null : sub.site();
        if (from == null) {
          violations.add(who + ": never learnt its starting position on " + c);
          continue;
        }
        if (sub.start() == TargetingScenario.Start.NOW) {
          long lo = before.get(i).get(c);
          long hi = lastAfter.get(c + "|" + site);
          if (from < lo || from > hi) {
            violations.add(
                who
                    + ": a -1 start on "
                    + c
                    + " was told "
                    + from
                    + ", not within ["
                    + lo
                    + ", "
                    + hi
                    + "]");
          }
        }
        for (Published p : published) {
          if (!p.channel().equals(c) || !Objects.equals(p.site(), site) || p.id() <= from) {
            continue;
          }
          int msgIndex = p.key().startsWith("m") ? Integer.parseInt(p.key().substring(1)) : -1;
          boolean allowed =
              msgIndex < 0 ? isFenceFor(p, sub) : s.allowed(i, s.messages().get(msgIndex));
          if (allowed && !times.containsKey(p.key())) {
            violations.add(
                who + ": never got " + p.key() + " (id " + p.id() + " on " + c + ") " + p.msg());
          }
        }
      }
    }
    if (!violations.isEmpty()) {
      throw new AssertionError(
          violations.size()
              + " violation(s):\n  "
              + String.join("\n  ", violations.subList(0, Math.min(violations.size(), 30))));
    }
  }

  private static boolean isFenceFor(Published p, TargetingScenario.Sub sub) {
    return p.msg().channel() == 2 || Objects.equals(p.site(), sub.site());
  }

  private static void publish(
      MessageBus bus,
      List<String> channels,
      List<String> clientIds,
      TargetingScenario.Msg m,
      String key,
      boolean live,
      Map<String, Published> byKey,
      List<Published> published) {
    String channel = channels.get(m.channel());
    PublishOptions.Builder o = PublishOptions.builder();
    String site = m.channel() == 2 ? null : m.site();
    if (site != null) {
      o.siteId(site);
    }
    if (m.users() != null) {
      o.userIds(m.users());
    }
    if (m.groups() != null) {
      o.groupIds(m.groups());
    }
    if (m.clients() != null) {
      List<Object> ids = new ArrayList<>();
      for (int c : m.clients()) {
        ids.add(c >= 0 && c < clientIds.size() ? clientIds.get(c) : "someone-else");
      }
      o.clientIds(ids);
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("k", key);
    if (m.vetoed()) {
      data.put("veto", true);
    }
    if (key.startsWith("fence")) {
      data.put("fence", true);
    }
    long id = bus.publish(channel, data, o.build());
    Published p = new Published(channel, site, id, m, key);
    byKey.put(key, p);
    published.add(p);
  }
}
