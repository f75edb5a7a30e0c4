// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What the bus reads at run time that an ahead-of-time (native) image must keep: the JavaScript
 * client assets ({@code message-bus-js}), the diagnostics page's script ({@code message-bus-http}),
 * the Redis publish script ({@code message-bus-redis}), and the container members the servlet
 * module reaches reflectively to send the exact {@code Content-Type} (Tomcat's response facade,
 * Jetty's servlet request). Registered in {@code META-INF/spring/aot.factories}; hints for classes
 * that are absent are harmless.
 */
public final class MessageBusRuntimeHints implements RuntimeHintsRegistrar {

  /** Creates the registrar (called by Spring's AOT processing). */
  public MessageBusRuntimeHints() {}

  @Override
  public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
    hints
        .resources()
        .registerPattern("META-INF/resources/message-bus-assets/*")
        .registerPattern("org/messagebus/http/diagnostics/*")
        .registerPattern("org/messagebus/redis/publish.lua");
    hints
        .reflection()
        .registerType(
            TypeReference.of("org.apache.catalina.connector.ResponseFacade"),
            MemberCategory.ACCESS_DECLARED_FIELDS)
        .registerType(
            TypeReference.of("org.apache.catalina.connector.Response"),
            MemberCategory.INVOKE_PUBLIC_METHODS)
        .registerType(
            TypeReference.of("org.apache.coyote.Response"), MemberCategory.INVOKE_PUBLIC_METHODS);
    for (String ee : new String[] {"ee10", "ee11"}) {
      hints
          .reflection()
          .registerType(
              TypeReference.of("org.eclipse.jetty." + ee + ".servlet.ServletContextRequest"),
              b -> b.withMembers(MemberCategory.INVOKE_PUBLIC_METHODS));
    }
    // the Tomcat lookup asks for this method by name
    hints
        .reflection()
        .registerType(
            TypeReference.of("org.apache.catalina.connector.Response"),
            b -> b.withMethod("getCoyoteResponse", java.util.List.of(), ExecutableMode.INVOKE));
  }
}
