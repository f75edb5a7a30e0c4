/**
 * The HTTP load generator: {@link org.messagebus.benchmarks.load.LoadServer} serves a memory bus
 * over the real endpoint on an embedded Jetty, {@link org.messagebus.benchmarks.load.LoadClient}
 * holds N streaming long polls over real sockets from another JVM and measures delivery. Run both
 * with {@code message-bus-benchmarks/run-load.sh}; see {@code docs/benchmarks-http.md}.
 */
@NullMarked
package org.messagebus.benchmarks.load;

import org.jspecify.annotations.NullMarked;
