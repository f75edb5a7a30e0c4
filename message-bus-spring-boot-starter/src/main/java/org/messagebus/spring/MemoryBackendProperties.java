// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code message-bus.memory.*}: the memory backend (see {@link
 * org.messagebus.memory.MemoryBackend.Builder}).
 *
 * @param expiryInterval How often the memory backend deletes expired channels.
 */
public record MemoryBackendProperties(@DefaultValue("1s") Duration expiryInterval) {}
