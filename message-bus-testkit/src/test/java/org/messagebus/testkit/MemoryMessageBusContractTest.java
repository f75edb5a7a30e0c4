package org.messagebus.testkit;

import org.messagebus.memory.MemoryBackend;
import org.messagebus.spi.Backend;

/** Runs the bus contract over {@link MemoryBackend}. */
class MemoryMessageBusContractTest extends MessageBusContractTest {

  @Override
  protected Backend createBackend() {
    return MemoryBackend.create();
  }
}
