// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A slow HTTP client on a raw socket, for request-deadline tests: it sends the start of a request
 * at once, then one byte at a time every 100 ms (each byte restarts a server's idle timeout), until
 * the server closes the connection. Close it to stop trickling and close the socket.
 */
public final class TricklingClient implements AutoCloseable {

  private static final long TRICKLE_MILLIS = 100;

  private final Socket socket;
  private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger trickled = new AtomicInteger();

  /**
   * Connects to 127.0.0.1 and starts trickling.
   *
   * @param port the server's port
   * @param start sent at once
   * @param trickle sent one byte every 100 ms after {@code start}, over and over
   * @param waitForClose how long {@link #closedByServer()} waits for the server's close
   * @throws IOException if the connection or the first write fails
   */
  public TricklingClient(int port, String start, String trickle, Duration waitForClose)
      throws IOException {
    this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((int) waitForClose.toMillis());
    OutputStream out = socket.getOutputStream();
    out.write(start.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    byte[] bytes = trickle.getBytes(StandardCharsets.US_ASCII);
    var unused =
        trickler.scheduleAtFixedRate(
            () -> {
              // counted before it is sent: a byte the server has read is always counted
              int next = trickled.getAndIncrement();
              try {
                out.write(bytes[next % bytes.length]);
                out.flush();
              } catch (IOException closedByServer) {
                throw new UncheckedIOException(closedByServer); // ends the schedule
              }
            },
            TRICKLE_MILLIS,
            TRICKLE_MILLIS,
            TimeUnit.MILLISECONDS);
  }

  /**
   * Reads until the server closes the connection (true) or the wait given at construction passes
   * with it still open (false).
   *
   * @return whether the server closed the connection in time
   */
  public boolean closedByServer() {
    try {
      while (socket.getInputStream().read() >= 0) {
        // whatever the server said before closing
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /**
   * How many bytes were trickled so far (after the start), counting each as it is handed to the
   * socket: at least as many as the server has read, and one more if the last write failed.
   *
   * @return the count
   */
  public int trickled() {
    return trickled.get();
  }

  @Override
  public void close() throws IOException {
    trickler.shutdownNow();
    socket.close();
  }
}
