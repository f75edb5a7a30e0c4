package org.messagebus.spring;

import java.time.Duration;
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
    Integer fanOutThreads) {}
