/**
 * Test support for applications using the MessageBus Spring Boot starter: {@link
 * org.messagebus.spring.test.AutoConfigureInMemoryMessageBus} runs the bus in memory in a
 * {@code @SpringBootTest}, and {@link org.messagebus.spring.test.MessageBusAssertions} asserts what
 * a channel received.
 */
@NullMarked
package org.messagebus.spring.test;

import org.jspecify.annotations.NullMarked;
