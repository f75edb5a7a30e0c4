package org.messagebus;

/**
 * Thrown by {@link MessageBus#publish} and the subscribe methods once the bus has been {@linkplain
 * MessageBus#close() closed} (Ruby: {@code BusDestroyed}).
 */
public class BusClosedException extends MessageBusException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was attempted
   */
  public BusClosedException(String message) {
    super(message);
  }
}
