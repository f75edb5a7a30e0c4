/**
 * The public API of MessageBus for Java: {@link org.messagebus.MessageBus} and the types it takes
 * and returns.
 *
 * <p>Start with {@link org.messagebus.MessageBus#builder()}. Backends live in {@code
 * org.messagebus.memory} and the Redis and PostgreSQL modules; {@code org.messagebus.spi} is the
 * contract they implement.
 */
@NullMarked
package org.messagebus;

import org.jspecify.annotations.NullMarked;
