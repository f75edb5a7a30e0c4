// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.DefaultPropertiesPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * On Jetty, keeps the two Jetty loggers that report a client's malformed request head at WARN, once
 * per request, at ERROR: {@code org.eclipse.jetty.util.HostPort} ("Bad Authority", "Bad port": a
 * {@code Host} header that is not a host and port) and {@code org.eclipse.jetty.http.HttpParser} (a
 * second {@code Host} header). Such requests are answered 400 all the same; at WARN any client
 * could fill the application's log at will. Added as default properties (the lowest precedence),
 * and only for a logger whose {@code logging.level} the application does not set itself: setting it
 * (e.g. {@code logging.level.org.eclipse.jetty.util.HostPort=WARN}) wins. docs/operations.md,
 * "Logging".
 */
public final class JettyLogLevels implements EnvironmentPostProcessor {

  /** The loggers kept at ERROR. */
  static final List<String> LOGGERS =
      List.of("org.eclipse.jetty.util.HostPort", "org.eclipse.jetty.http.HttpParser");

  /** Creates the post-processor (called by Spring Boot, listed in spring.factories). */
  public JettyLogLevels() {}

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication app) {
    if (!ClassUtils.isPresent(LOGGERS.get(0), app.getClassLoader())) {
      return; // not on Jetty
    }
    Map<String, Object> levels = new LinkedHashMap<>();
    for (String logger : LOGGERS) {
      String key = "logging.level." + logger;
      if (!environment.containsProperty(key)) {
        levels.put(key, "ERROR");
      }
    }
    if (!levels.isEmpty()) {
      DefaultPropertiesPropertySource.addOrMerge(levels, environment.getPropertySources());
    }
  }
}
