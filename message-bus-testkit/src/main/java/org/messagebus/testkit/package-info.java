/**
 * Contract suites every backend runs: {@link org.messagebus.testkit.BackendContractTest} for the
 * backend SPI and {@link org.messagebus.testkit.MessageBusContractTest} for the bus API over that
 * backend. Extend them in a backend module's tests; depend on this module in test scope.
 *
 * <p>Helpers for any module's tests: {@link org.messagebus.testkit.Services} (a missing service
 * skips or fails a test), {@link org.messagebus.testkit.TcpProxy} and {@link
 * org.messagebus.testkit.PrivateRedis} (outages), {@link org.messagebus.testkit.ForwardingBackend}
 * and {@link org.messagebus.testkit.ReadCountingBackend} (a backend that changes a few calls), and
 * {@link org.messagebus.testkit.ManualClock}.
 */
@NullMarked
package org.messagebus.testkit;

import org.jspecify.annotations.NullMarked;
