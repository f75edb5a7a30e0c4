// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.messagebus.MessageBus;
import org.messagebus.http.EngineOptions;
import org.messagebus.http.HttpEngine;

/**
 * The meter tables of the README and of docs/metrics.md list exactly the meters the binders
 * register: a meter added, renamed or removed without its documentation fails here.
 */
class MeterDocsTest {

  /** Meters made on first use, one per value of their tag (a close code, a refusal status). */
  private static final Set<String> MADE_ON_FIRST_USE =
      Set.of("messagebus.http.websocket.closes", "messagebus.http.websocket.refusals");

  private static final Pattern ROW = Pattern.compile("(?m)^\\| `(messagebus\\.[a-z.]+)` \\|");

  @Test
  void readmeAndMetricsPage_listEveryMeter_andNoOther() throws IOException {
    Set<String> registered = new TreeSet<>(MADE_ON_FIRST_USE);
    try (MessageBus bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
        HttpEngine engine = new HttpEngine(bus, EngineOptions.builder().build())) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      MessageBusMetrics busMetrics = MessageBusMetrics.bind(bus, registry);
      HttpEngineMetrics engineMetrics = HttpEngineMetrics.bind(engine, registry);
      for (Meter m : registry.getMeters()) {
        registered.add(m.getId().getName());
      }
      engineMetrics.close();
      busMetrics.close();
    }
    assertThat(documented(Path.of("..", "README.md"))).isEqualTo(registered);
    assertThat(documented(Path.of("..", "docs", "metrics.md"))).isEqualTo(registered);
  }

  private static Set<String> documented(Path file) throws IOException {
    Matcher m = ROW.matcher(Files.readString(file, StandardCharsets.UTF_8));
    Set<String> names = new TreeSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
