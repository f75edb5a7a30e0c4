/** A Spring Boot application using the MessageBus starter (example, not deployed). */
@NullMarked
package org.messagebus.examples.spring;

import org.jspecify.annotations.NullMarked;
