// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import java.util.List;
import org.messagebus.ErrorListener;
import org.messagebus.Message;
import org.messagebus.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every {@link ErrorListener} bean, in order; one that throws is logged and the others are
 * still told.
 */
final class CompositeErrorListener implements ErrorListener {

  private static final Logger LOG = LoggerFactory.getLogger(CompositeErrorListener.class);

  private final List<ErrorListener> listeners;

  CompositeErrorListener(List<ErrorListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  @Override
  public void onListenerError(Subscription subscription, Message message, Throwable error) {
    each(l -> l.onListenerError(subscription, message, error));
  }

  @Override
  public void onBackgroundError(Throwable error) {
    each(l -> l.onBackgroundError(error));
  }

  @Override
  public void onKeepaliveMissed(Duration silence) {
    each(l -> l.onKeepaliveMissed(silence));
  }

  private void each(java.util.function.Consumer<ErrorListener> call) {
    for (ErrorListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("error listener {} failed", l, e);
      }
    }
  }
}
