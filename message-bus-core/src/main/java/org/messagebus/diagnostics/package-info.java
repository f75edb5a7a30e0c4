/**
 * Diagnostics over the bus (SPEC §6): process discovery and restart requests, interoperable with
 * Ruby {@code message_bus}. The diagnostics web page is served by {@code message-bus-servlet}.
 */
@NullMarked
package org.messagebus.diagnostics;

import org.jspecify.annotations.NullMarked;
