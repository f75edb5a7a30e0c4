// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The container-independent part of {@link ExactContentType}; the bytes each container sends are
 * checked over real sockets by WireFormatTest (Jetty ee10) and by the Spring Boot starter's
 * end-to-end tests (Jetty ee11, Tomcat 11).
 */
class ExactContentTypeTest {

  @Test
  void foreignContainer_withJettyOnTheClassPath_getsSetContentType_andNoError() {
    List<String> calls = new ArrayList<>();
    HttpServletRequest req = proxy(HttpServletRequest.class, calls);
    HttpServletResponse resp = proxy(HttpServletResponse.class, calls);

    // Jetty ee10 is on this module's test class path, and its lookup throws for a request that is
    // not Jetty's: that must read as "not Jetty", not as a failure.
    assertThatCode(() -> ExactContentType.set(req, resp, "application/json; charset=utf-8"))
        .doesNotThrowAnyException();

    assertThat(calls).contains("setContentType(application/json; charset=utf-8)");
    assertThat(ExactContentType.failedOnce()).as("nothing failed, nothing was logged").isFalse();
  }

  private static <T> T proxy(Class<T> type, List<String> calls) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, method, args) -> {
              calls.add(
                  method.getName() + "(" + (args == null ? "" : String.valueOf(args[0])) + ")");
              Class<?> r = method.getReturnType();
              if (r == boolean.class) {
                return false;
              }
              if (r == int.class || r == long.class) {
                return 0;
              }
              return null;
            }));
  }
}
