// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.pathmap.RegexPathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.jspecify.annotations.Nullable;
import org.messagebus.http.WebSocketConnection;
import org.messagebus.http.WebSocketEndpoint;
import org.messagebus.http.WebSocketSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint of the bus on Jetty 12's core WebSocket API: a {@link
 * WebSocketUpgradeHandler} in front of the server's handler (the core adapter or the servlet
 * context) upgrades {@code <prefix><clientId>/ws} requests that ask for a WebSocket, and passes
 * every other request on unchanged. The upgrade is admitted or refused by the engine's {@link
 * WebSocketEndpoint}; a refusal is a one-line {@code text/plain} reply with its status. Each socket
 * is bound to a {@link WebSocketSession}, which holds the protocol; this class only translates.
 */
final class JettyWebSockets {

  private static final Logger LOG = LoggerFactory.getLogger(JettyWebSockets.class);

  private JettyWebSockets() {}

  /**
   * The upgrade handler for the endpoint, in front of {@code next}. Typed {@link Handler} so that
   * {@link MessageBusServer} links no WebSocket class unless the endpoint is enabled.
   */
  static Handler handler(Server server, WebSocketEndpoint endpoint, Handler next) {
    WebSocketUpgradeHandler ws =
        WebSocketUpgradeHandler.from(
            server,
            container -> {
              container.setMaxTextMessageSize(endpoint.options().maxFrameBytes());
              container.setMaxBinaryMessageSize(endpoint.options().maxFrameBytes());
              // Pongs keep a live client's socket busy; one that stops answering is closed by
              // the endpoint first (4408), this only reaps a socket stuck while closing.
              container.setIdleTimeout(endpoint.options().pingInterval().multipliedBy(3));
              container.addMapping(
                  new RegexPathSpec(WebSocketEndpoint.pathRegex(endpoint.prefix())),
                  (req, resp, cb) -> create(endpoint, req, resp, cb));
            });
    ws.setHandler(next);
    return ws;
  }

  private static @Nullable Object create(
      WebSocketEndpoint endpoint,
      ServerUpgradeRequest req,
      ServerUpgradeResponse resp,
      org.eclipse.jetty.util.Callback cb) {
    JettyCoreExchange view = new JettyCoreExchange(req, resp, cb);
    WebSocketEndpoint.Admission admission = endpoint.admit(view);
    WebSocketSession session = admission.session();
    if (session == null) {
      resp.setStatus(admission.status());
      resp.getHeaders().put("Content-Type", "text/plain; charset=utf-8");
      admission.headers().forEach(resp.getHeaders()::put);
      resp.write(true, ByteBuffer.wrap(admission.reason().getBytes(StandardCharsets.UTF_8)), cb);
      return null;
    }
    return new Listener(session);
  }

  /**
   * One socket: Jetty's events to the session, the session's output to Jetty. Public because Jetty
   * binds the listener's methods through method handles.
   */
  public static final class Listener implements Session.Listener.AutoDemanding {
    private final WebSocketSession session;

    Listener(WebSocketSession session) {
      this.session = session;
    }

    @Override
    public void onWebSocketOpen(Session socket) {
      session.open(new Connection(socket));
    }

    @Override
    public void onWebSocketText(String text) {
      session.onText(text);
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
      callback.succeed();
      session.onBinary();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
      session.onPong();
    }

    @Override
    public void onWebSocketClose(int statusCode, @Nullable String reason, Callback callback) {
      session.onClosed();
      callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
      LOG.debug("WebSocket of client {} failed: {}", session.clientId(), cause.toString());
      session.onClosed();
    }
  }

  private static final class Connection implements WebSocketConnection {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final Session socket;
    // Jetty's form of the session's send callback, made once: the session passes the same one with
    // every message (one is in flight at a time) and calls under its lock.
    private @Nullable SendCallback adaptedFor;
    private @Nullable Callback adapted;

    Connection(Session socket) {
      this.socket = socket;
    }

    @Override
    public void sendText(String text, SendCallback done) {
      Callback c = adapted;
      if (c == null || adaptedFor != done) {
        c = Callback.from(done::sent, done::failed);
        adapted = c;
        adaptedFor = done;
      }
      socket.sendText(text, c);
    }

    @Override
    public void sendPing() {
      socket.sendPing(EMPTY.duplicate(), Callback.NOOP);
    }

    @Override
    public void close(int code, String reason) {
      socket.close(code, reason, Callback.NOOP);
    }
  }
}
