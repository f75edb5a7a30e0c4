/**
 * The HTTP subscriber endpoint of message_bus for Jakarta Servlet 6 containers: {@link
 * org.messagebus.servlet.MessageBusFilter}, its {@link org.messagebus.servlet.HttpTransportOptions}
 * and the embedded Jetty launcher {@link org.messagebus.servlet.MessageBusServer}.
 */
@NullMarked
package org.messagebus.servlet;

import org.jspecify.annotations.NullMarked;
