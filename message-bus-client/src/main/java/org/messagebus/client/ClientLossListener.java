// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.client;

/**
 * Hears when the server reports messages of a subscribed channel as lost, instead of the client
 * skipping them silently. Setting one ({@link MessageBusClient.Builder#lossListener}) makes every
 * request ask the server for its loss signal; servers without it (Ruby's) ignore the request and
 * never report. Runs on the client's callback executor, in order with the messages: a loss is
 * reported before the messages that follow the gap.
 */
@FunctionalInterface
public interface ClientLossListener {

  /**
   * Handles one channel's loss. What this throws is logged; polling goes on.
   *
   * @param loss the channel and the lost ids
   */
  void onLoss(ClientLoss loss);
}
