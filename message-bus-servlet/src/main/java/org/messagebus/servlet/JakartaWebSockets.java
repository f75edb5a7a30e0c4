// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.servlet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.messagebus.http.WebSocketConnection;
import org.messagebus.http.WebSocketEndpoint;
import org.messagebus.http.WebSocketSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket endpoint of the bus on Jakarta WebSocket 2.1 ({@code jakarta.websocket}), for
 * {@link MessageBusFilter} in any Servlet 6 container that offers it (Tomcat 10.1+, Jetty ee10 with
 * its Jakarta WebSocket module, ...): the filter admits the upgrade request with the engine's rules
 * ({@link WebSocketEndpoint#admit}, on the servlet request, so lookups written for {@code
 * HttpServletRequest} work), then this class upgrades it with {@link
 * ServerContainer#upgradeHttpToWebSocket} to an {@link Endpoint} bound to the admitted {@link
 * WebSocketSession}, which holds the protocol; this class only translates.
 *
 * <p><b>Loading.</b> Only {@link MessageBusFilter} refers to this class, and only once it found a
 * {@code ServerContainer} in the servlet context, so the filter loads and runs without the Jakarta
 * WebSocket API on the class path.
 *
 * <p><b>Never blocking the bus.</b> Text goes out with the asynchronous remote ({@code
 * getAsyncRemote().sendText(text, handler)}), one message in flight per socket, what waits counted
 * in bytes by the session (closed with 4429 beyond its bound). Pings and closes are blocking calls
 * in Jakarta WebSocket (a close waits until its frame is written, which a client that stopped
 * reading never lets happen); the session calls them under its lock, possibly on the bus dispatch
 * thread, so they are handed to the filter's small executor instead.
 */
final class JakartaWebSockets {

  private static final Logger LOG = LoggerFactory.getLogger(JakartaWebSockets.class);

  /**
   * The servlet context attribute under which a container publishes its {@link ServerContainer}.
   */
  static final String SERVER_CONTAINER = "jakarta.websocket.server.ServerContainer";

  private JakartaWebSockets() {}

  /**
   * Upgrades an admitted request. When the container refuses the handshake (and answers it) or
   * fails, the session is told it closed, so its slot is released; a failure is thrown for the
   * filter to answer.
   *
   * @param container the context's {@code ServerContainer} (typed {@code Object} so that the filter
   *     links no Jakarta WebSocket type)
   * @param endpoint the bus's endpoint, for its options and prefix
   * @param session the admitted session
   * @param blocking where pings and closes run
   */
  static void upgrade(
      Object container,
      WebSocketEndpoint endpoint,
      WebSocketSession session,
      Executor blocking,
      HttpServletRequest req,
      HttpServletResponse resp)
      throws IOException {
    Socket socket = new Socket(endpoint, session, blocking);
    ServerEndpointConfig config =
        ServerEndpointConfig.Builder.create(Socket.class, endpoint.prefix() + "{clientId}/ws")
            .configurator(
                new ServerEndpointConfig.Configurator() {
                  @Override
                  public <T> T getEndpointInstance(Class<T> type) {
                    return type.cast(socket);
                  }

                  @Override
                  public boolean checkOrigin(String origin) {
                    return true; // the endpoint checked it (WebSocketEndpoint#admit)
                  }
                })
            .build();
    try {
      ((ServerContainer) container)
          .upgradeHttpToWebSocket(req, resp, config, Map.of("clientId", session.clientId()));
    } catch (DeploymentException | IOException | RuntimeException e) {
      session.onClosed();
      throw e instanceof IOException io ? io : new IOException("WebSocket upgrade failed", e);
    }
    if (resp.getStatus() != HttpServletResponse.SC_SWITCHING_PROTOCOLS) {
      session.onClosed(); // the container refused the handshake and answered it: free the slot
    }
  }

  /**
   * One socket: the container's events to the session, the session's output to the container.
   * Public for containers that reach the endpoint class reflectively.
   */
  public static final class Socket extends Endpoint {
    private final WebSocketEndpoint endpoint;
    private final WebSocketSession session;
    private final Executor blocking;

    Socket(WebSocketEndpoint endpoint, WebSocketSession session, Executor blocking) {
      this.endpoint = endpoint;
      this.session = session;
      this.blocking = blocking;
    }

    @Override
    public void onOpen(Session socket, EndpointConfig config) {
      int maxFrame = endpoint.options().maxFrameBytes();
      socket.setMaxTextMessageBufferSize(maxFrame);
      socket.setMaxBinaryMessageBufferSize(maxFrame);
      // Pongs keep a live client's socket busy; one that stops answering is closed by the
      // endpoint first (4408); this only reaps a socket stuck while closing.
      socket.setMaxIdleTimeout(endpoint.options().pingInterval().multipliedBy(3).toMillis());
      socket.addMessageHandler(String.class, (MessageHandler.Whole<String>) session::onText);
      socket.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) b -> binary());
      socket.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) p -> pong());
      session.open(new Connection(socket, blocking, session.clientId()));
    }

    private void binary() {
      session.onBinary();
    }

    private void pong() {
      session.onPong();
    }

    @Override
    public void onClose(Session socket, CloseReason reason) {
      session.onClosed();
    }

    @Override
    public void onError(Session socket, Throwable cause) {
      LOG.debug("WebSocket of client {} failed: {}", session.clientId(), cause.toString());
      session.onClosed();
    }
  }

  private record Connection(Session socket, Executor blocking, String clientId)
      implements WebSocketConnection {

    @Override
    public void sendText(String text, SendCallback done) {
      socket
          .getAsyncRemote()
          .sendText(
              text,
              result -> {
                if (result.isOK()) {
                  done.sent();
                } else {
                  done.failed(result.getException());
                }
              });
    }

    @Override
    public void sendPing() {
      run(
          () -> {
            try {
              socket.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
            } catch (IOException | RuntimeException e) {
              LOG.debug("ping of WebSocket client {} failed: {}", clientId, e.toString());
            }
          });
    }

    @Override
    public void close(int code, String reason) {
      run(
          () -> {
            try {
              socket.close(new CloseReason(CloseReason.CloseCodes.getCloseCode(code), reason));
            } catch (IOException | RuntimeException e) {
              LOG.debug("closing WebSocket client {} failed: {}", clientId, e.toString());
            }
          });
    }

    private void run(Runnable task) {
      try {
        blocking.execute(task);
      } catch (RejectedExecutionException shutDown) {
        task.run(); // the filter is closing: close in place
      }
    }
  }
}
