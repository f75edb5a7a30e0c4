/**
 * JMH benchmarks of the core bus. Build with {@code mvn -B -pl message-bus-benchmarks -am package}
 * and run {@code java -jar message-bus-benchmarks/target/benchmarks.jar}; see BENCHMARKS.md.
 */
@NullMarked
package org.messagebus.benchmarks;

import org.jspecify.annotations.NullMarked;
