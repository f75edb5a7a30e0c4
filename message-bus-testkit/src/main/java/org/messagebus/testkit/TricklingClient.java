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
   * A client that sends a poll's request line and {@code Host} at once, then trickles header lines
   * ({@code X-Slow: abc}) a byte at a time: its head never ends.
   *
   * @param port the server's port
   * @param path the request path, e.g. {@code /message-bus/abc/poll}
   * @param waitForClose how long {@link #closedByServer()} waits for the server's close
   * @return the trickling client
   * @throws IOException if the connection or the first write fails
   */
  public static TricklingClient trickledHead(int port, String path, Duration waitForClose)
      throws IOException {
    return new TricklingClient(
        port, "POST " + path + " HTTP/1.1\r\nHost: x\r\n", "X-Slow: abc\r\n", waitForClose);
  }

  /**
   * A client that sends a whole form-encoded poll head announcing a 10,000-byte body and its first
   * bytes ({@code /a=0}) at once, then trickles {@code &} a byte at a time: its body never ends.
   *
   * @param port the server's port
   * @param path the request path, e.g. {@code /message-bus/abc/poll}
   * @param waitForClose how long {@link #closedByServer()} waits for the server's close
   * @return the trickling client
   * @throws IOException if the connection or the first write fails
   */
  public static TricklingClient trickledBody(int port, String path, Duration waitForClose)
      throws IOException {
    return new TricklingClient(
        port,
        "POST "
            + path
            + " HTTP/1.1\r\nHost: x\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: 10000\r\n\r\n/a=0",
        "&",
        waitForClose);
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
