/**
 * The container-free HTTP transport engine of message_bus: {@link org.messagebus.http.HttpEngine}
 * with its {@link org.messagebus.http.EngineOptions}, seeing requests only through {@link
 * org.messagebus.http.HttpExchange} and {@link org.messagebus.http.HttpRequestView}. Adapters for
 * Servlet containers and Jetty's core API live in {@code message-bus-servlet}.
 */
@NullMarked
package org.messagebus.http;

import org.jspecify.annotations.NullMarked;
