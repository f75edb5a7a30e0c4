// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.observe;

/**
 * The handle of an observer added to a bus ({@link org.messagebus.MessageBus#observe(BusObserver)})
 * or to an HTTP engine: closing it removes the observer, which is told nothing afterwards (a call
 * already under way may still finish).
 */
@FunctionalInterface
public interface ObserverRegistration extends AutoCloseable {

  /** Removes the observer. Idempotent. */
  @Override
  void close();
}
