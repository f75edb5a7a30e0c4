// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

/** The stream separator of the wire format (SPEC §4.7), for the tests that split streams. */
final class Wire {
  static final String SEPARATOR = "\r\n|\r\n";

  private Wire() {}
}
