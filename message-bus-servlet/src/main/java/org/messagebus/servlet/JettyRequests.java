// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.ServletRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jspecify.annotations.Nullable;

/**
 * Finds the Jetty 12 core request and response behind a servlet request (ee10 or ee11), without
 * linking the servlet module to Jetty: {@code ServletContextRequest.getServletContextRequest} is
 * public API of both environments, and what it returns is a core {@code
 * org.eclipse.jetty.server.Request} whose {@code getServletContextResponse()} is a core {@code
 * Response}. Off Jetty (or with Jetty merely on the class path) both lookups answer null.
 */
final class JettyRequests {

  private static final List<Method> LOOKUPS = lookups();
  private static final ConcurrentMap<Class<?>, Method> RESPONSES = new ConcurrentHashMap<>();

  private JettyRequests() {}

  /**
   * The core request ({@code org.eclipse.jetty.server.Request}) serving a servlet request, or null
   * when the request is not Jetty 12's.
   */
  static @Nullable Object coreRequest(ServletRequest req) {
    for (Method lookup : LOOKUPS) {
      try {
        Object scr = lookup.invoke(null, req);
        if (scr != null) {
          return scr;
        }
      } catch (InvocationTargetException | IllegalAccessException | RuntimeException notJettys) {
        // another container's request, or the other Jetty environment's
      }
    }
    return null;
  }

  /**
   * The core response ({@code org.eclipse.jetty.server.Response}) of a core request found above.
   */
  static Object coreResponse(Object coreRequest) throws ReflectiveOperationException {
    Method m =
        RESPONSES.computeIfAbsent(
            coreRequest.getClass(),
            c -> {
              try {
                return c.getMethod("getServletContextResponse");
              } catch (NoSuchMethodException e) {
                return null;
              }
            });
    if (m == null) {
      throw new NoSuchMethodException(coreRequest.getClass() + ".getServletContextResponse()");
    }
    return m.invoke(coreRequest);
  }

  private static List<Method> lookups() {
    List<Method> found = new ArrayList<>();
    for (String ee : List.of("ee10", "ee11")) {
      try {
        Class<?> scr =
            Class.forName(
                "org.eclipse.jetty." + ee + ".servlet.ServletContextRequest",
                false,
                JettyRequests.class.getClassLoader());
        found.add(scr.getMethod("getServletContextRequest", ServletRequest.class));
      } catch (ReflectiveOperationException | LinkageError e) {
        // this Jetty environment is not on the class path
      }
    }
    return List.copyOf(found);
  }
}
