// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.jspecify.annotations.Nullable;
import org.messagebus.MessageBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Logs one INFO line once every bean exists: the backend (URLs with the password redacted), the
 * endpoint path (or none) and whether a site lookup is on, e.g. {@code MessageBus ready: backend
 * redis redis://***@cache:6379/2 (notifications on _message_bus_2), endpoint /message-bus/, site
 * lookup off}.
 */
final class StartupLog implements SmartInitializingSingleton {

  static final Logger LOG = LoggerFactory.getLogger("org.messagebus.spring.MessageBus");

  /** What a backend configuration says about the backend it built. */
  record BackendDescription(String text) {}

  /** What the servlet configuration says about the endpoint it registered. */
  record EndpointDescription(String path, boolean siteLookup) {}

  private final ObjectProvider<MessageBus> bus;
  private final ObjectProvider<BackendDescription> backend;
  private final ObjectProvider<EndpointDescription> endpoint;

  StartupLog(
      ObjectProvider<MessageBus> bus,
      ObjectProvider<BackendDescription> backend,
      ObjectProvider<EndpointDescription> endpoint) {
    this.bus = bus;
    this.backend = backend;
    this.endpoint = endpoint;
  }

  @Override
  public void afterSingletonsInstantiated() {
    MessageBus b = bus.getIfUnique();
    if (b == null || !LOG.isInfoEnabled()) {
      return;
    }
    LOG.info(line(b, backend.getIfUnique(), endpoint.getIfUnique()));
  }

  static String line(
      MessageBus bus,
      @Nullable BackendDescription backend,
      @Nullable EndpointDescription endpoint) {
    String backendText =
        backend != null
            ? backend.text()
            : bus.backend().getClass().getSimpleName() + " (the application's Backend bean)";
    boolean siteLookup = (endpoint != null && endpoint.siteLookup()) || bus.currentSiteId() != null;
    return "MessageBus ready: backend "
        + backendText
        + ", endpoint "
        + (endpoint == null ? "none" : endpoint.path())
        + ", site lookup "
        + (siteLookup ? "on" : "off");
  }

  /** Hides the credentials of a connection URL (see {@link Redaction}). */
  static String redact(String url) {
    return Redaction.redactUrl(url);
  }
}
