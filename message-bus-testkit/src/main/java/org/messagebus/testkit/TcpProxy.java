// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.messagebus.spi.DaemonThreads;

/**
 * A TCP forwarder on 127.0.0.1 (a free port) to a real server, for outage tests that must not touch
 * the shared server's lifecycle. A test can {@linkplain #cut() cut} it (every open connection is
 * closed and new ones are closed at once: what a restart or a refused connection looks like to the
 * client), {@linkplain #blackhole() blackhole} it (connections stay open but nothing is forwarded
 * either way, and new ones are accepted but never answered: a host that silently drops packets) and
 * {@linkplain #restore() restore} it.
 */
public final class TcpProxy implements AutoCloseable {

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean cut;
  private volatile boolean blackholed; // guarded by gate for waiting
  private volatile boolean closed;

  /**
   * Starts forwarding to a server.
   *
   * @param targetHost the server's host
   * @param targetPort the server's port
   * @throws IOException if no local port can be bound
   */
  public TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    DaemonThreads.newThread("tcp-proxy-accept", this::acceptLoop).start();
  }

  /**
   * Returns the local port clients connect to.
   *
   * @return the port
   */
  public int port() {
    return server.getLocalPort();
  }

  /**
   * Rewrites a URL of the target ({@code …targetHost:targetPort…}) to go through this proxy.
   *
   * @param base a URL naming the target's host and port
   * @return the same URL naming 127.0.0.1 and this proxy's port
   */
  public String url(String base) {
    return base.replace(targetHost + ":" + targetPort, "127.0.0.1:" + port());
  }

  /**
   * Returns how many connections clients opened to this proxy so far (refused ones included).
   *
   * @return the count
   */
  public int connectionsAccepted() {
    return accepted.get();
  }

  /** Closes every connection and refuses new ones until {@link #restore()}. */
  public void cut() {
    cut = true;
    closeAll();
  }

  /**
   * Stops forwarding without closing anything: open connections go silent, new ones are accepted
   * and never answered, until {@link #restore()}.
   */
  public void blackhole() {
    blackholed = true;
  }

  /**
   * Forwards again. Connections that were held silent are closed first (the host that came back has
   * forgotten them, as a rebooted server or a dropped NAT entry has), so clients reconnect.
   */
  public void restore() {
    if (blackholed) {
      closeAll();
    }
    synchronized (gate) {
      blackholed = false;
      cut = false;
      gate.notifyAll();
    }
  }

  private void closeAll() {
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      if (cut) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket(targetHost, targetPort);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        open.add(client);
        open.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    DaemonThreads.newThread(
            "tcp-proxy-pump",
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  if (!awaitForwarding(from)) {
                    return; // dropped while held
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // connection closed or cut
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
              }
            })
        .start();
  }

  /** Waits while blackholed; false if the connection was closed meanwhile. */
  private boolean awaitForwarding(Socket from) {
    synchronized (gate) {
      while (blackholed && !from.isClosed() && !closed) {
        try {
          gate.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return !from.isClosed() && !closed;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    cut();
    synchronized (gate) {
      gate.notifyAll();
    }
  }
}
