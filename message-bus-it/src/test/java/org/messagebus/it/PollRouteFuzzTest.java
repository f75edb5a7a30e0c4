// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.messagebus.servlet.MessageBusServer;

/**
 * Fuzzes the poll route ({@code <base>message-bus/<clientId>/poll}, SPEC §4.1–4.2) of a real {@code
 * MessageBusServer} over real sockets with {@value RouteFuzzer#POLL_EXAMPLES} generated requests
 * (body, query, headers, path, charset, framing and raw bytes; see {@link HttpGen#pollRequest()}),
 * checking the properties listed in {@link RouteFuzzer}, once on each server of {@link
 * FuzzServer#variants()}: both adapters with identity lookups, and the Jetty core adapter without
 * them (its handler then runs on Jetty's I/O thread, where most polls are answered or held).
 *
 * <p>Time budget: at most 60 s per run on this project's 2-core machine (5–10 s), three runs; the
 * number of inputs sent and the time taken are printed.
 */
class PollRouteFuzzTest {

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("org.messagebus.it.FuzzServer#variants")
  void pollRoute_generatedRequests_neverFailTheServer(
      MessageBusServer.Adapter adapter, FuzzServer.Lookups lookups) throws Exception {
    RouteFuzzer.fuzz(
        "poll route", adapter, lookups, HttpGen.pollRequest(), RouteFuzzer.POLL_EXAMPLES);
  }
}
