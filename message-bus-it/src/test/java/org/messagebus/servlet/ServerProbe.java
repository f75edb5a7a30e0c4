// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import org.eclipse.jetty.util.thread.Invocable;

/**
 * Test access to what a {@link MessageBusServer} keeps package-private, for the tests of {@code
 * message-bus-it} (same package name on the test class path, as {@code message-bus-servlet}'s
 * {@code EngineProbe} does for the engine).
 */
public final class ServerProbe {

  private ServerProbe() {}

  /**
   * How Jetty may run the server's request handling: {@code NON_BLOCKING} on its I/O thread (the
   * Jetty core handler without lookups that may block), {@code BLOCKING} on a worker thread.
   *
   * @param server a started server
   * @return the invocation type Jetty reads
   */
  public static Invocable.InvocationType invocationType(MessageBusServer server) {
    return server.invocationType();
  }
}
