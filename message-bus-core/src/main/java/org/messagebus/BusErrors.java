// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the application's {@link ErrorListener} about failures away from its threads, each call
 * isolated: what the listener throws is logged and ignored, so a faulty listener never stops the
 * dispatch or background thread that reports.
 */
final class BusErrors {

  private static final Logger LOG = LoggerFactory.getLogger(BusErrors.class);

  private final ErrorListener listener;

  BusErrors(ErrorListener listener) {
    this.listener = listener;
  }

  /** A background failure: an undecodable message, a failed keepalive publish or catch-up. */
  void background(Throwable error) {
    tell(l -> l.onBackgroundError(error));
  }

  /** A subscriber's listener threw on a message; logged here. */
  void listenerFailed(Subscription subscription, Message message, Throwable error) {
    LOG.warn(
        "subscriber {} failed on message {}, skipping", subscription, message.globalId(), error);
    tell(l -> l.onListenerError(subscription, message, error));
  }

  /** Nothing was received for longer than three keepalive intervals. */
  void keepaliveMissed(Duration silence) {
    tell(l -> l.onKeepaliveMissed(silence));
  }

  private void tell(Consumer<ErrorListener> call) {
    try {
      call.accept(listener);
    } catch (RuntimeException e) {
      LOG.warn("error listener failed", e);
    }
  }
}
