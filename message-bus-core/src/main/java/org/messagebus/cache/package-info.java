/**
 * The distributed cache of SPEC §7: per-process maps kept in sync across processes through the bus,
 * interoperable with Ruby {@code message_bus}'s {@code DistributedCache}.
 */
@NullMarked
package org.messagebus.cache;

import org.jspecify.annotations.NullMarked;
