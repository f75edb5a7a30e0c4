/** The in-process memory backend: for tests, development and single-process applications. */
@NullMarked
package org.messagebus.memory;

import org.jspecify.annotations.NullMarked;
