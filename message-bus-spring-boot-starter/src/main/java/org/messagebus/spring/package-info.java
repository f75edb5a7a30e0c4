/**
 * Spring Boot 4 auto-configuration for MessageBus: a {@link org.messagebus.MessageBus} bean built
 * from {@code message-bus.*} properties, its backend, a {@link
 * org.messagebus.cache.DistributedCacheManager} ({@link MessageBusAutoConfiguration}) and, in
 * servlet web applications with {@code message-bus-servlet} on the class path, the HTTP endpoint
 * ({@link MessageBusServletAutoConfiguration}).
 */
@NullMarked
package org.messagebus.spring;

import org.jspecify.annotations.NullMarked;
