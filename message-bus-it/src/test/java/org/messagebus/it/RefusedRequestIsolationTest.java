// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.messagebus.servlet.MessageBusServer;

/**
 * A client whose request Jetty refuses cannot break another client's request. Clients send a poll
 * with a malformed request pipelined behind it ({@code a b\n}, which Jetty answers 505 on a pool
 * thread while the thread that parsed it still works on the connection: Jetty 12.1's request-buffer
 * race, jetty/jetty.project#12939), as fast as they can, while other clients broadcast on fresh
 * connections; every broadcast must be answered 200. Before the server's buffer pool detached a
 * released acquisition from the pooled memory ({@code GuardedBufferPool}), about 2 in 100,000
 * broadcasts failed here: unanswered, or their body consumed by the racing thread ({@code 400
 * broadcast needs a channel parameter}); a connection's buffer released twice was then only
 * refused, not isolated. The race itself still happens in Jetty; the connections Jetty closes on it
 * are logged at WARN (at most one per 10 s) and printed.
 *
 * <p>Time budget: {@value #SECONDS} s per server variant (two), about 20,000 broadcasts each on
 * this project's 2-core machine; a regression shows in some runs, not all (the race is rare), and
 * {@code GuardedBufferPoolTest} pins the mechanism deterministically.
 */
class RefusedRequestIsolationTest {

  private static final int SECONDS = Integer.getInteger("it.isolation.seconds", 15);

  static List<Object[]> variants() {
    return List.of(
        new Object[] {MessageBusServer.Adapter.SERVLET, FuzzServer.Lookups.FROM_HEADERS},
        new Object[] {MessageBusServer.Adapter.JETTY_CORE, FuzzServer.Lookups.NONE});
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("variants")
  void refusedPipelinedRequests_neverBreakOtherClientsRequests(
      MessageBusServer.Adapter adapter, FuzzServer.Lookups lookups) throws Exception {
    try (FuzzServer server = new FuzzServer(adapter, lookups)) {
      int mark = server.logs.mark();
      long end = System.nanoTime() + Duration.ofSeconds(SECONDS).toNanos();
      AtomicInteger refused = new AtomicInteger();
      AtomicInteger broadcasts = new AtomicInteger();
      Map<String, Integer> failed = new ConcurrentHashMap<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        threads.add(
            new Thread(
                () -> {
                  for (int i = 0; System.nanoTime() < end; i++) {
                    String body = "{\"/isolation/" + i + "\":0}";
                    send(
                        server,
                        "POST /message-bus/c"
                            + i
                            + "/poll?dlp=t HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: application/json\r\nContent-Length: "
                            + body.length()
                            + "\r\n\r\n"
                            + body
                            + "a b\n",
                        false);
                    refused.incrementAndGet();
                  }
                },
                "refused-client-" + t));
      }
      threads.add(
          new Thread(
              () -> {
                for (int i = 0; System.nanoTime() < end; i++) {
                  String body = "channel=%2Fisolation&data=%7B%22n%22%3A" + i + "%7D";
                  RawHttp.Exchange ex =
                      send(
                          server,
                          "POST /message-bus/broadcast HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              + "Content-Type: application/x-www-form-urlencoded\r\n"
                              + "Content-Length: "
                              + body.length()
                              + "\r\n\r\n"
                              + body,
                          true);
                  broadcasts.incrementAndGet();
                  String outcome =
                      ex == null
                          ? "could not talk to the server"
                          : ex.responses().isEmpty()
                              ? "no response (" + ex.ending() + ")"
                              : ex.responses().get(0).status() == 200
                                  ? null
                                  : ex.responses().get(0).status()
                                      + " "
                                      + ex.responses().get(0).bodyText().strip();
                  if (outcome != null) {
                    failed.merge(outcome, 1, Integer::sum);
                  }
                }
              },
              "broadcasting-client"));
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      long races =
          server.logs.since(mark).stream().filter(LogCapture.Line::isJettysOwnBufferRace).count();
      System.out.printf(
          "[isolation] %s, %s: %d refused pipelined requests, %d broadcasts, %d failed %s;"
              + " Jetty request-buffer races logged (#12939; at most one WARN per 10 s) %d%n",
          adapter, lookups, refused.get(), broadcasts.get(), failed.size(), failed, races);
      assertThat(failed).as("broadcasts not answered 200").isEmpty();
      assertThat(broadcasts.get()).isGreaterThan(1_000);
      assertThat(server.logs.since(mark))
          .as("logged, other than Jetty's own race")
          .allMatch(LogCapture.Line::isJettysOwnBufferRace);
    }
  }

  private static RawHttp.Exchange send(FuzzServer server, String request, boolean answered) {
    byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
    try {
      return answered
          ? RawHttp.answer(server.port(), bytes, false, FuzzServer.EXCHANGE_TIMEOUT)
          : RawHttp.exchange(server.port(), bytes, false, FuzzServer.EXCHANGE_TIMEOUT);
    } catch (IOException e) {
      return null;
    }
  }
}
