/** The in-process memory backend: for tests, development and single-process applications. */
package org.messagebus.memory;
