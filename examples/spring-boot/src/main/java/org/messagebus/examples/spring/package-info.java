/** A Spring Boot application using the MessageBus starter (example, not deployed). */
package org.messagebus.examples.spring;
