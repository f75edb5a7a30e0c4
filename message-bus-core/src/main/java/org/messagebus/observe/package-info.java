/**
 * Observation hooks: what a {@link org.messagebus.MessageBus} and the parts built on it report for
 * metrics, without depending on a metrics library. Register a {@link
 * org.messagebus.observe.BusObserver} with {@link
 * org.messagebus.MessageBus#observe(org.messagebus.observe.BusObserver)}; the {@code
 * message-bus-micrometer} module binds one to a Micrometer registry.
 */
@NullMarked
package org.messagebus.observe;

import org.jspecify.annotations.NullMarked;
