// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

/** The starter's runtime hints, found by Spring's AOT processing through aot.factories. */
class RuntimeHintsTest {

  private final RuntimeHints hints = new RuntimeHints();

  RuntimeHintsTest() {
    new MessageBusRuntimeHints().registerHints(hints, getClass().getClassLoader());
  }

  @Test
  void registrar_isListedInAotFactories() {
    assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
        .anyMatch(r -> r instanceof MessageBusRuntimeHints);
  }

  @Test
  void resources_theJsClient_theDiagnosticsScript_andTheRedisScript() {
    for (String resource :
        new String[] {
          "META-INF/resources/message-bus-assets/message-bus.js",
          "META-INF/resources/message-bus-assets/message-bus.mjs",
          "org/messagebus/http/diagnostics/diagnostics.js",
          "org/messagebus/redis/publish.lua"
        }) {
      assertThat(RuntimeHintsPredicates.resource().forResource(resource))
          .as(resource)
          .accepts(hints);
    }
  }

  @Test
  void reflection_theContainerMembersOfTheExactContentType() {
    assertThat(
            RuntimeHintsPredicates.reflection()
                .onType(TypeReference.of("org.apache.catalina.connector.ResponseFacade"))
                .withMemberCategory(MemberCategory.ACCESS_DECLARED_FIELDS))
        .accepts(hints);
    assertThat(
            RuntimeHintsPredicates.reflection()
                .onType(TypeReference.of("org.eclipse.jetty.ee11.servlet.ServletContextRequest"))
                .withMemberCategory(MemberCategory.INVOKE_PUBLIC_METHODS))
        .accepts(hints);
  }
}
