package org.messagebus.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Sets a Content-Type header byte for byte. The stock JavaScript client compares it with {@code
 * application/json; charset=utf-8} exactly (SPEC §4.7), but Jetty normalises known types through
 * {@code setContentType} (to {@code application/json;charset=utf-8}); on Jetty the header field is
 * therefore written directly. Other containers get {@code setContentType}, which Tomcat and
 * Undertow pass through unchanged.
 */
final class ExactContentType {

  private static final boolean JETTY = jettyPresent();

  private ExactContentType() {}

  static void set(HttpServletRequest req, HttpServletResponse resp, String value) {
    resp.setContentType(value);
    if (JETTY) {
      JettyFields.put(req, value);
    }
  }

  private static boolean jettyPresent() {
    try {
      Class.forName(
          "org.eclipse.jetty.ee10.servlet.ServletContextRequest",
          false,
          ExactContentType.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Loaded only when Jetty 12 ee10 is on the class path. */
  private static final class JettyFields {
    static void put(HttpServletRequest req, String value) {
      org.eclipse.jetty.ee10.servlet.ServletContextRequest scr =
          org.eclipse.jetty.ee10.servlet.ServletContextRequest.getServletContextRequest(req);
      if (scr != null) {
        // The servlet response's own header view parses Content-Type and re-emits Jetty's
        // canonical form; the wrapped core response's fields are written as given.
        scr.getServletContextResponse()
            .getWrapped()
            .getHeaders()
            .put(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, value);
      }
    }
  }
}
