// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import org.messagebus.spi.Retention;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code message-bus.retention.*}: what every backend keeps (see {@link Retention}).
 *
 * @param maxBacklogSize Newest messages kept per channel.
 * @param maxGlobalBacklogSize Newest messages kept in the global backlog.
 * @param maxBacklogAge A channel without a publish for this long is deleted (backlog and id
 *     counter).
 * @param clearEvery Trimming runs only when the new id is a multiple of this.
 */
public record RetentionProperties(
    @DefaultValue("1000") int maxBacklogSize,
    @DefaultValue("2000") int maxGlobalBacklogSize,
    @DefaultValue("7d") Duration maxBacklogAge,
    @DefaultValue("1") int clearEvery) {

  /**
   * Builds the {@link Retention} these properties describe.
   *
   * @return the retention
   * @throws InvalidMessageBusPropertyException naming the property whose value is rejected
   */
  public Retention toRetention() {
    Retention.Builder b = Retention.builder();
    String p = "message-bus.retention.";
    Settings.apply(p + "max-backlog-size", maxBacklogSize, () -> b.maxBacklogSize(maxBacklogSize));
    Settings.apply(
        p + "max-global-backlog-size",
        maxGlobalBacklogSize,
        () -> b.maxGlobalBacklogSize(maxGlobalBacklogSize));
    Settings.apply(p + "max-backlog-age", maxBacklogAge, () -> b.maxBacklogAge(maxBacklogAge));
    Settings.apply(p + "clear-every", clearEvery, () -> b.clearEvery(clearEvery));
    return b.build();
  }
}
