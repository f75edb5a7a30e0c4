// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import org.junit.jupiter.api.Test;

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

  @Test
  void pollRoute_generatedRequests_neverFailTheServer() throws Exception {
    RouteFuzzer.fuzz("poll route", HttpGen.pollRequest(), RouteFuzzer.POLL_EXAMPLES);
  }
}
