// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus;

import org.jspecify.annotations.Nullable;

/**
 * What every subscription handle shares: the registry key it was made for (channel and site), and
 * its description.
 */
abstract class KeyedSubscription implements Subscription {

  final Dispatcher.Key key;

  KeyedSubscription(Dispatcher.Key key) {
    this.key = key;
  }

  @Override
  public final @Nullable String channel() {
    return key.channel();
  }

  @Override
  public final @Nullable String siteId() {

    return key.site();
  }

  @Override
  public String toString() {
    return "Subscription{channel="
        + (key.channel() == null ? "*" : key.channel())
        + (key.site() == null ? "" : ", site=" + key.site())
        + '}';
  }

  /** The handle returned while the bus is off: nothing was registered. */
  static final class Inactive extends KeyedSubscription {
    Inactive(Dispatcher.Key key) {
      super(key);
    }

    @Override
    public boolean isActive() {
      return false;
    }

    @Override
    public void unsubscribe() {}
  }
}
