/** The chat demo: a page, a publish endpoint and the bus endpoint on one embedded server. */
@NullMarked
package org.messagebus.examples.chat;

import org.jspecify.annotations.NullMarked;
