// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.messagebus.servlet.MessageBusServer;

/**
 * Fuzzes the poll route ({@code <base>message-bus/<clientId>/poll}, SPEC §4.1–4.2) of a real {@code
 * MessageBusServer} over real sockets with {@value RouteFuzzer#POLL_EXAMPLES} generated requests
 * (body, query, headers, path, charset, framing and raw bytes; see {@link HttpGen#pollRequest()}),
 * checking the properties listed in {@link RouteFuzzer}.
 *
 * <p>Time budget: at most 60 s on this project's 2-core machine (5–10 s); the number of inputs sent
 * and the time taken are printed.
 */
class PollRouteFuzzTest {

  @ParameterizedTest
  @EnumSource(
      value = MessageBusServer.Adapter.class,
      names = {"JETTY_CORE", "SERVLET"})
  void pollRoute_generatedRequests_neverFailTheServer(MessageBusServer.Adapter adapter)
      throws Exception {
    RouteFuzzer.fuzz("poll route", adapter, HttpGen.pollRequest(), RouteFuzzer.POLL_EXAMPLES);
  }
}
