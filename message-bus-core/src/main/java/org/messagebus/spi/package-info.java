/**
 * The backend service-provider interface: what a storage and fan-out implementation provides to the
 * bus ({@link org.messagebus.spi.Backend}), the raw message form it stores ({@link
 * org.messagebus.spi.BackendMessage}) and the retention it honours ({@link
 * org.messagebus.spi.Retention}).
 *
 * <p>Application code needs this package only to configure a backend; implementers of a new backend
 * should extend the contract suite in {@code message-bus-testkit}.
 */
@NullMarked
package org.messagebus.spi;

import org.jspecify.annotations.NullMarked;
