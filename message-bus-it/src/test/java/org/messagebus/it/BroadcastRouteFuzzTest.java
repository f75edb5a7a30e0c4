// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.messagebus.servlet.MessageBusServer;

/**
 * Fuzzes the debug broadcast route ({@code <base>message-bus/broadcast?channel=..&data=..}, SPEC
 * §4.10; on in the fuzzed server) of a real {@code MessageBusServer} over real sockets with {@value
 * RouteFuzzer#BROADCAST_EXAMPLES} generated requests (parameters in the query, the form or both;
 * odd channel names; invalid percent-encoding and UTF-8; forms over the container's size and
 * field-count limits; odd content types and charsets; framing and raw bytes; see {@link
 * HttpGen#broadcastRequest()}), checking the properties listed in {@link RouteFuzzer}.
 *
 * <p>Time budget: at most 60 s on this project's 2-core machine (15–30 s while other builds share
 * it); the number of inputs sent and the time taken are printed.
 */
class BroadcastRouteFuzzTest {

  @ParameterizedTest
  @EnumSource(
      value = MessageBusServer.Adapter.class,
      names = {"JETTY_CORE", "SERVLET"})
  void broadcastRoute_generatedRequests_neverFailTheServer(MessageBusServer.Adapter adapter)
      throws Exception {
    RouteFuzzer.fuzz(
        "broadcast route", adapter, HttpGen.broadcastRequest(), RouteFuzzer.BROADCAST_EXAMPLES);
  }
}
