// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.jspecify.annotations.Nullable;

/**
 * A load server's answer to {@code GET /control/stats}: the contract every load server (the Java
 * {@link LoadServer} and the Ruby {@code config.ru} of {@code run-ruby.sh}) keeps, so that one load
 * client measures both. Sizes in bytes; -1 where a server cannot tell.
 *
 * @param server which server ({@code java}, {@code ruby})
 * @param backend which backend ({@code memory}, {@code redis}, {@code postgres})
 * @param redisUri the Redis URI the server publishes through, or null
 * @param held polls the server holds now
 * @param heapUsed heap in use (after two full collections when asked), or -1
 * @param rss resident set size, summed over the server's processes (VmRSS)
 * @param cpuNanos CPU time (utime + stime from {@code /proc/<pid>/stat}), summed over its processes
 * @param fds open file descriptors
 * @param published measured and warm-up messages published so far
 * @param publishFailures publishes that failed
 * @param lastId the load channel's last message id
 * @param processes how many processes the figures are summed over
 * @param threads live threads of the Java server (0 when a server does not tell)
 * @param allocatedBytes heap bytes allocated so far by the live threads (Java: {@code
 *     ThreadMXBean.getThreadAllocatedBytes}), 0 where a server does not say
 * @param eventStreams Server-Sent Events streams open now (counted in {@code held} too), 0 where a
 *     server does not say
 * @param webSockets WebSocket connections open now (not counted in {@code held}), 0 where a server
 *     does not say or serves none
 * @param jitMillis time the Java server's JIT compilers have spent compiling so far ({@code
 *     CompilationMXBean.getTotalCompilationTime}, milliseconds), null where a server does not say
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record ServerStats(
    String server,
    String backend,
    @Nullable String redisUri,
    long held,
    long heapUsed,
    long rss,
    long cpuNanos,
    long fds,
    long published,
    long publishFailures,
    long lastId,
    int processes,
    long threads,
    long allocatedBytes,
    long eventStreams,
    long webSockets,
    @Nullable Long jitMillis) {}
