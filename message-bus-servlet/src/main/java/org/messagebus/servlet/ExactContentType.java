// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets a Content-Type header byte for byte. The stock JavaScript client compares it with {@code
 * application/json; charset=utf-8} exactly (SPEC §4.7), but containers normalise what {@code
 * setContentType} is given: Jetty 12 (ee10 and ee11) and Tomcat 11 both send {@code
 * application/json;charset=utf-8}. So after {@code setContentType} (which keeps the container's own
 * view consistent) the header is written again, as given:
 *
 * <ul>
 *   <li>Jetty 12 ee10/ee11: into the fields of the wrapped core response, which are sent verbatim
 *       (found by {@link JettyRequests});
 *   <li>Tomcat (11; 10.1 has the same members): the Coyote response's character encoding is cleared
 *       and its content type set verbatim with {@code setContentTypeNoCharset}, reached through the
 *       {@code ResponseFacade}'s protected {@code response} field. Our bodies are written as UTF-8
 *       bytes to the output stream, never through a writer, so the cleared encoding changes nothing
 *       else.
 * </ul>
 *
 * <p>Anything else (or a container whose internals moved) keeps {@code setContentType}'s result; a
 * failure is logged once and never fails the request.
 */
final class ExactContentType {

  private static final Logger LOG = LoggerFactory.getLogger(ExactContentType.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static final String TOMCAT_FACADE = "org.apache.catalina.connector.ResponseFacade";
  private static volatile @Nullable Tomcat tomcat;
  private static volatile boolean tomcatUnusable;

  private ExactContentType() {}

  static void set(HttpServletRequest req, HttpServletResponse resp, String value) {
    resp.setContentType(value);
    try {
      Object jetty = JettyRequests.coreRequest(req);
      if (jetty != null) {
        JettyCore.put(JettyRequests.coreResponse(jetty), value);
        return;
      }
      ServletResponse inner = unwrap(resp);
      if (!tomcatUnusable && inner.getClass().getName().equals(TOMCAT_FACADE)) {
        Tomcat t = tomcat;
        if (t == null || t.facade != inner.getClass()) {
          try {
            t = new Tomcat(inner.getClass());
          } catch (ReflectiveOperationException | RuntimeException e) {
            tomcatUnusable = true; // do not retry the lookup on every response
            throw e;
          }
          tomcat = t;
        }
        t.put(inner, value);
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      if (WARNED.compareAndSet(false, true)) {
        LOG.warn(
            "cannot write Content-Type verbatim on this container ({}); it sends the container's"
                + " normalised form instead of \"{}\"",
            e.toString(),
            value);
      }
    }
  }

  /** Tells whether writing a header verbatim ever failed in this JVM (for tests). */
  static boolean failedOnce() {
    return WARNED.get();
  }

  private static ServletResponse unwrap(ServletResponse resp) {
    ServletResponse r = resp;
    while (r instanceof ServletResponseWrapper w) {
      r = w.getResponse();
    }
    return r;
  }

  /** Loaded only once a Jetty request was found, so Jetty's core classes are present. */
  private static final class JettyCore {
    static void put(Object servletContextResponse, String value) {
      // The servlet response's own header view parses Content-Type and re-emits Jetty's
      // canonical form; the wrapped core response's fields are written as given.
      ((org.eclipse.jetty.server.Response.Wrapper) servletContextResponse)
          .getWrapped()
          .getHeaders()
          .put(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, value);
    }
  }

  /** Tomcat's response facade, resolved reflectively (the servlet module does not link Tomcat). */
  private static final class Tomcat {
    final Class<?> facade;
    final Field response;
    final Method getCoyoteResponse;
    final Method setCharacterEncoding;
    final Method setContentTypeNoCharset;

    Tomcat(Class<?> facade) throws ReflectiveOperationException {
      this.facade = facade;
      this.response = facade.getDeclaredField("response");
      response.setAccessible(true);
      this.getCoyoteResponse = response.getType().getMethod("getCoyoteResponse");
      Class<?> coyote = getCoyoteResponse.getReturnType();
      this.setCharacterEncoding = coyote.getMethod("setCharacterEncoding", String.class);
      this.setContentTypeNoCharset = coyote.getMethod("setContentTypeNoCharset", String.class);
    }

    void put(ServletResponse facadeInstance, String value) throws ReflectiveOperationException {
      Object coyote = getCoyoteResponse.invoke(response.get(facadeInstance));
      // Coyote appends ";charset=<encoding>" to the stored type when an encoding is set.
      setCharacterEncoding.invoke(coyote, (Object) null);
      setContentTypeNoCharset.invoke(coyote, value);
    }
  }
}
