// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.spring;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code message-bus.http.*}: the HTTP endpoint ({@code MessageBusFilter} and {@code
 * HttpTransportOptions} of message-bus-servlet).
 *
 * @param enabled Whether to register the HTTP endpoint in a servlet web application.
 * @param baseRoute Path prefix (within the web application) before "message-bus/".
 * @param longPollingEnabled Whether polls may be held open (long polling).
 * @param longPollingInterval The longest a poll is held.
 * @param chunkedEncodingEnabled Whether held polls may stream with chunked encoding.
 * @param maxActiveClients From this many held polls on, new polls are answered at once.
 * @param allowBroadcast Serve the debug route message-bus/broadcast (never in production).
 * @param maxBodySize Largest accepted request body; larger bodies get 413.
 * @param maxChannels Most channels one poll may subscribe to; more get 400.
 * @param maxClientIdLength Longest accepted client id; longer ones get 400.
 * @param filterOrder Order of the filter registration; the default runs after Spring Security's
 *     filter chain (-100), so the lookups can see the authenticated user.
 * @param fanOutThreads How many threads write each live message to the held polls (1 to 64; with 1
 *     the bus's dispatch thread writes them). Unset: the available processors, at most 4.
 * @param maxHeldPollsPerUser Most polls one signed-in user (a user id lookup answered non-null) may
 *     have held at once, over all tabs, devices and client ids; beyond it a poll gets 429 with
 *     Retry-After. 2147483647 turns the limit off.
 * @param maxHeldPollsPerAddress Most polls one anonymous client address may have held at once
 *     (IPv6: per /64); beyond it a poll gets 429 with Retry-After. Raise it for audiences behind
 *     one NAT; 2147483647 turns the limit off.
 * @param heldPollsRetryAfter Retry-After of the 429 answered to a poll over its identity's limit
 *     (whole seconds, at least 1s; the stock JavaScript client waits at least 15s whatever it
 *     says).
 * @param trustedProxies Reverse proxies (IP addresses or CIDR ranges, no names) whose Forwarded /
 *     X-Forwarded-For headers tell the client address for max-held-polls-per-address; an empty
 *     value believes no header.
 * @param drainRetryAfter Retry-After of the 503 answered to polls while the node drains (graceful
 *     shutdown, or MessageBusDrain#drain()): whole seconds, at least 1s.
 * @param closeHeldPollConnections Whether a held long-poll reply and a stream's end say Connection:
 *     close, as Ruby's do (every answered poll and every stream then costs the client a new
 *     connection).
 * @param recentWindowMessages Newest messages kept per channel to answer current and recent long
 *     polls without reading the store (the recent-message window); 0 turns the window off.
 * @param recentWindowChannels Most channels the recent-message window holds (least recently used go
 *     first); 0 turns the window off.
 * @param recentWindowSize Most bytes of messages the recent-message window holds in all; 0 turns
 *     the window off.
 * @param dashboardEnabled Whether the diagnostics page (administrators only, with a
 *     MessageBusIsAdminLookup bean) shows this process's live dashboard; false keeps the process
 *     list, answers _diagnostics/stats.json 404 and observes nothing, so the dashboard costs
 *     nothing.
 * @param longPollingMinHold Shortest hold of a held poll: each is held for a time drawn uniformly
 *     between this and long-polling-interval, so that clients that polled together do not all come
 *     back together. At least 15s (the stock JavaScript client's callbackInterval); at or above the
 *     interval, every poll is held exactly the interval.
 * @param sseMaxDuration The longest a Server-Sent Events stream stays open; the browser then
 *     reconnects with Last-Event-ID.
 * @param sseMinDuration The shortest a Server-Sent Events stream stays open: each ends after a time
 *     drawn uniformly between this and sse-max-duration, so that streams opened together do not all
 *     reconnect together. Not above sse-max-duration; equal to it, every stream lasts exactly that.
 *     Unset: four fifths of sse-max-duration (4m with the default).
 * @param requestHeadTimeout On Spring Boot's Jetty: the longest from a request's first byte to the
 *     end of its head (every request of the application); a client that is slower has its
 *     connection closed. 0 turns it off.
 * @param requestBodyTimeout On Spring Boot's Jetty: the longest from the end of a request's head to
 *     the end of its body (every request of the application, uploads included); a client that is
 *     slower has its connection closed. Unset or 0: no such deadline.
 */
public record HttpEndpointProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("/") String baseRoute,
    @DefaultValue("true") boolean longPollingEnabled,
    @DefaultValue("25s") Duration longPollingInterval,
    @DefaultValue("true") boolean chunkedEncodingEnabled,
    @DefaultValue("1000") int maxActiveClients,
    @DefaultValue("false") boolean allowBroadcast,
    @DefaultValue("64KB") DataSize maxBodySize,
    @DefaultValue("1000") int maxChannels,
    @DefaultValue("128") int maxClientIdLength,
    @DefaultValue("0") int filterOrder,
    Integer fanOutThreads,
    @DefaultValue("10") int maxHeldPollsPerUser,
    @DefaultValue("50") int maxHeldPollsPerAddress,
    @DefaultValue("15s") Duration heldPollsRetryAfter,
    @DefaultValue({"127.0.0.0/8", "::1"}) List<String> trustedProxies,
    @DefaultValue("5s") Duration drainRetryAfter,
    @DefaultValue("false") boolean closeHeldPollConnections,
    @DefaultValue("64") int recentWindowMessages,
    @DefaultValue("10000") int recentWindowChannels,
    @DefaultValue("16MB") DataSize recentWindowSize,
    @DefaultValue("true") boolean dashboardEnabled,
    @DefaultValue("15s") Duration longPollingMinHold,
    @DefaultValue("5m") Duration sseMaxDuration,
    Duration sseMinDuration,
    @DefaultValue("10s") Duration requestHeadTimeout,
    Duration requestBodyTimeout) {}
