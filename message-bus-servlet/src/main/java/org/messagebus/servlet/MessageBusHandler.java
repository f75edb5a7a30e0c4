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
  private final boolean nonBlocking;

  /**
   * @param nonBlocking whether to declare the handler non-blocking, so that Jetty runs it on its
   *     I/O thread: the engine then answers or holds there the polls it can answer without blocking
   *     and hands everything else to a worker thread (see {@link
   *     org.messagebus.http.HttpExchange#mustNotBlock}); the next handler always runs on a worker
   *     thread
   */
  MessageBusHandler(HttpEngine engine, ClassLoader assetLoader, boolean nonBlocking) {
    this.engine = engine;
    this.assets = new AssetServlet(assetLoader);
    this.nonBlocking = nonBlocking;
  }

  /**
   * Non-blocking when so constructed; else blocking, whatever the next handler is (a wrapper
   * without a next handler would otherwise report Jetty's non-blocking default, and Jetty would run
   * the engine, lookups and store reads included, on its I/O thread).
   */
  @Override
  public InvocationType getInvocationType() {
    return nonBlocking ? InvocationType.NON_BLOCKING : InvocationType.BLOCKING;
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
    if (nonBlocking) {
      exchange.mustNotBlockOn(Thread.currentThread());
    }
    boolean handled;
    try {
      handled = engine.handle(exchange, raw, normalized);
    } finally {
      exchange.mustNotBlockOn(null);
    }
    if (handled) {
      return true;
    }
    String path = normalized != null ? normalized : raw;
    if (nonBlocking) {
      // The files (read once from the class path) and the application's handler may block: never
      // on Jetty's I/O thread.
      request
          .getComponents()
          .getExecutor()
          .execute(
              () -> {
                try {
                  if (!handleOther(request, response, callback, path)) {
                    Response.writeError(request, response, callback, 404);
                  }
                } catch (Throwable t) {
                  Response.writeError(request, response, callback, t);
                }
              });
      return true;
    }
    if (handleOther(request, response, callback, path)) {
      return true;
    }
    Response.writeError(request, response, callback, 404);
    return true;
  }

  /** The JavaScript client's files, else the next handler; false if neither answers. */
  private boolean handleOther(Request request, Response response, Callback callback, String path)
      throws Exception {
    if (path.startsWith(AssetServlet.PATH)) {
      AssetServlet.Reply r =
          assets.answer(request.getMethod(), path, request.getHeaders().get("If-None-Match"));
      response.setStatus(r.status());
      r.headers().forEach(response.getHeaders()::put);
      response.write(true, ByteBuffer.wrap(r.body()), callback);
      return true;
    }
    return getHandler() != null && super.handle(request, response, callback);
  }
}
