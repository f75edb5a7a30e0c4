// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code message-bus.websocket.*}: the opt-in WebSocket endpoint of {@code MessageBusFilter}
 * ({@code WebSocketOptions} of message-bus-http), at {@code <base-route>message-bus/<clientId>/ws}.
 * The routes, the identity lookups, {@code max-channels} and the per-identity caps are those of
 * {@code message-bus.http.*}.
 *
 * @param enabled Whether the HTTP endpoint also opens WebSockets (needs a container with Jakarta
 *     WebSocket: Tomcat, or Jetty with its Jakarta WebSocket module; without it an upgrade gets 501
 *     and clients poll).
 * @param allowedOrigins Origins (scheme://host[:port]) whose pages may open a socket, or "*" for
 *     any; empty (the default): only the request's own origin. A refused upgrade gets 403; an
 *     upgrade without an Origin header (not a browser) is always allowed.
 * @param pingInterval How often the server pings each socket; a socket that did not answer the
 *     previous ping is closed with 4408 (at least 10ms).
 * @param maxQueuedSize How much of messages may wait for one client before it is closed as too slow
 *     with 4429 (at least 1KB); it resumes from its positions when it reconnects.
 * @param maxFrameSize Largest text message a client may send; a larger one closes the socket with
 *     1009 (128B to 16MB).
 */
public record WebSocketProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue List<String> allowedOrigins,
    @DefaultValue("30s") Duration pingInterval,
    @DefaultValue("256KB") DataSize maxQueuedSize,
    @DefaultValue("64KB") DataSize maxFrameSize) {}
