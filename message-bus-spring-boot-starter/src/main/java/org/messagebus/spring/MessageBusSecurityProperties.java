// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code message-bus.security.*}: how the HTTP endpoint works with the application's security
 * (Spring Security or the container's).
 *
 * @param userIdFromPrincipal Whether the user id of a poll is the name of its authenticated
 *     principal (HttpServletRequest.getUserPrincipal(), which Spring Security fills), for messages
 *     published with userIds. A MessageBusUserIdLookup bean takes precedence.
 */
public record MessageBusSecurityProperties(@DefaultValue("false") boolean userIdFromPrincipal) {}
