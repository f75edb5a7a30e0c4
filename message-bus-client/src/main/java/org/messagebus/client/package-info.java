/**
 * A Java client of the message_bus HTTP endpoint: {@link org.messagebus.client.MessageBusClient}.
 * Depends on {@code java.net.http}, Jackson and SLF4J only.
 */
@NullMarked
package org.messagebus.client;

import org.jspecify.annotations.NullMarked;
