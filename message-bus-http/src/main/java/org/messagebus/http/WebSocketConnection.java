// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.http;

/**
 * One open WebSocket as the engine sees it, whatever carries it (Jetty's WebSocket API, Jakarta
 * WebSocket, a test): an adapter implements it over its container's session. Every method is
 * non-blocking and may be called from any thread; {@link WebSocketSession} never calls {@link
 * #sendText} again before the previous send's callback ran.
 */
public interface WebSocketConnection {

  /**
   * Sends one text message without blocking.
   *
   * @param text the message
   * @param done told exactly once, on any thread (possibly the calling one), when the message is
   *     written or the send failed
   */
  void sendText(String text, SendCallback done);

  /** Sends a ping (empty payload) without blocking; a failure is ignored. */
  void sendPing();

  /**
   * Closes the socket with a close code and reason, without blocking; the session is told through
   * {@link WebSocketSession#onClosed()} when the socket is closed.
   *
   * @param code the close code
   * @param reason a reason of at most 123 bytes in UTF-8
   */
  void close(int code, String reason);

  /** The outcome of one {@link #sendText}. */
  interface SendCallback {
    /** The message was written. */
    void sent();

    /**
     * The message could not be written (the socket failed or closed).
     *
     * @param failure why
     */
    void failed(Throwable failure);
  }
}
