// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.nio.ByteBuffer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.messagebus.http.HttpEngine;

/**
 * The bus endpoint as a Jetty 12 core {@link Handler}, without the Servlet API: the second adapter
 * of {@link HttpEngine} (the first is {@link MessageBusFilter}). It answers the requests under the
 * engine's prefix and the JavaScript client files under {@value AssetServlet#PATH}; anything else
 * goes to the next handler, if any, else Jetty's error handler answers 404.
 *
 * <p>{@link MessageBusServer} uses it when nothing needs a servlet container (no application
 * servlet, filter, static folder or lookup written for {@code HttpServletRequest}).
 */
final class MessageBusHandler extends Handler.Wrapper {

  private final HttpEngine engine;
  private final AssetServlet assets;

  MessageBusHandler(HttpEngine engine, ClassLoader assetLoader) {
    this.engine = engine;
    this.assets = new AssetServlet(assetLoader);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    JettyCoreExchange exchange = new JettyCoreExchange(request, response, callback);
    String raw = exchange.path();
    String normalized;
    try {
      normalized = Request.getPathInContext(request);
    } catch (RuntimeException ambiguous) {
      normalized = null; // judge the raw path, as the filter does
    }
    if (engine.handle(exchange, raw, normalized)) {
      return true;
    }
    String path = normalized != null ? normalized : raw;
    if (path.startsWith(AssetServlet.PATH)) {
      AssetServlet.Reply r =
          assets.answer(request.getMethod(), path, request.getHeaders().get("If-None-Match"));
      response.setStatus(r.status());
      r.headers().forEach(response.getHeaders()::put);
      response.write(true, ByteBuffer.wrap(r.body()), callback);
      return true;
    }
    if (getHandler() != null) {
      return super.handle(request, response, callback);
    }
    Response.writeError(request, response, callback, 404);
    return true;
  }
}
