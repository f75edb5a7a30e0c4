package org.messagebus.testkit;

import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;
import org.messagebus.spi.Retention;

/** Runs the backend contract against {@link MemoryBackend}. */
class MemoryBackendContractTest extends BackendContractTest {

  @Override
  protected Backend createBackend(Retention retention) {
    return MemoryBackend.builder().retention(retention).build();
  }
}
