// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.messagebus.servlet.MessageBusServer;

/**
 * Fuzzes the debug broadcast route ({@code <base>message-bus/broadcast?channel=..&data=..}, SPEC
 * §4.10; on in the fuzzed server) of a real {@code MessageBusServer} over real sockets with {@value
 * RouteFuzzer#BROADCAST_EXAMPLES} generated requests (parameters in the query, the form or both;
 * odd channel names; invalid percent-encoding and UTF-8; forms over the container's size and
 * field-count limits; odd content types and charsets; framing and raw bytes; see {@link
 * HttpGen#broadcastRequest()}), checking the properties listed in {@link RouteFuzzer}, once on each
 * server of {@link FuzzServer#variants()}: both adapters with identity lookups, and the Jetty core
 * adapter without them (its handler then runs on Jetty's I/O thread, which reads what has come of a
 * broadcast's body and hands the broadcast to a worker).
 *
 * <p>Time budget: at most 60 s per run on this project's 2-core machine (15–30 s while other builds
 * share it), three runs; the number of inputs sent and the time taken are printed.
 */
class BroadcastRouteFuzzTest {

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("org.messagebus.it.FuzzServer#variants")
  void broadcastRoute_generatedRequests_neverFailTheServer(
      MessageBusServer.Adapter adapter, FuzzServer.Lookups lookups) throws Exception {
    RouteFuzzer.fuzz(
        "broadcast route",
        adapter,
        lookups,
        HttpGen.broadcastRequest(),
        RouteFuzzer.BROADCAST_EXAMPLES);
  }
}
