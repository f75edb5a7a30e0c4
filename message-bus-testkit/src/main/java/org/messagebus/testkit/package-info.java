/**
 * Contract suites every backend runs: {@link org.messagebus.testkit.BackendContractTest} for the
 * backend SPI and {@link org.messagebus.testkit.MessageBusContractTest} for the bus API over that
 * backend. Extend them in a backend module's tests; depend on this module in test scope.
 */
@NullMarked
package org.messagebus.testkit;

import org.jspecify.annotations.NullMarked;
