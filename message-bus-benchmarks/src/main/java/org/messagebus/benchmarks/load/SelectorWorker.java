// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A selector thread that owns a share of the simulated browsers: it opens their connections (at
 * most {@link LoadArgs#maxConnecting()} connects in flight), writes their polls, feeds what it
 * reads to their parsers, and schedules the next poll when a reply ends. A connection is reused for
 * the next poll unless the server announced {@code Connection: close} or the client runs without
 * keep-alive; a connection lost any other way is counted as a reconnect and opened again, and the
 * next poll asks from the position the browser holds, so nothing is lost on the way. In {@code sse}
 * and {@code websocket} modes a "poll" is a stream's request or a socket's upgrade, and what the
 * browser answers while reading (a subscribe, pong or close frame) is written as it is queued.
 *
 * <p>Threads: only this worker's thread touches its subscribers and selector; the run phases read
 * the {@link Tally}'s atomic counters while it runs and the rest after {@link #halt()} and join.
 */
final class SelectorWorker extends Thread {

  private final LoadArgs args;
  private final InetSocketAddress server;
  private final Selector selector;
  private final Tally tally = new Tally();
  private final ArrayDeque<Subscriber> toOpen = new ArrayDeque<>();
  private final PriorityQueue<Subscriber> timers =
      new PriorityQueue<>(Comparator.comparingLong(s -> s.dueNanos));
  private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
  private volatile boolean stop;
  private int connecting;

  SelectorWorker(int index, LoadArgs args, InetSocketAddress server) throws IOException {
    super("load-client-" + index);
    this.args = args;
    this.server = server;
    this.selector = Selector.open();
  }

  /**
   * Gives this worker a browser to run (before {@link #start()}).
   *
   * @param index the browser's number
   */
  void assign(int index) {
    toOpen.add(new Subscriber(index, args, tally));
  }

  /**
   * What this worker counted.
   *
   * @return its tally
   */
  Tally tally() {
    return tally;
  }

  /** Asks the thread to close every connection and end. */
  void halt() {
    stop = true;
    selector.wakeup();
  }

  @Override
  public void run() {
    try {
      while (!stop) {
        while (connecting < args.maxConnecting() && !toOpen.isEmpty()) {
          open(toOpen.poll());
        }
        long nowNanos = System.nanoTime();
        runTimers(nowNanos);
        long wait = 20;
        Subscriber next = timers.peek();
        if (next != null) {
          wait = Math.max(1, Math.min(wait, (next.dueNanos - nowNanos) / 1_000_000L));
        }
        selector.select(wait);
        long now = LoadServer.epochMicros();
        for (SelectionKey k : selector.selectedKeys()) {
          handle(k, now);
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      tally.error("selector: " + e);
    } finally {
      for (SelectionKey k : selector.keys()) {
        ((Subscriber) k.attachment()).closeConnection();
      }
      try {
        selector.close();
      } catch (IOException ignored) {
        // ending
      }
    }
  }

  private void handle(SelectionKey k, long now) {
    Subscriber s = (Subscriber) k.attachment();
    try {
      if (!k.isValid()) {
        return;
      }
      if (k.isConnectable()) {
        connected(s);
        return;
      }
      if (k.isWritable()) {
        flush(s);
      }
      if (k.isValid() && k.isReadable()) {
        read(s, now);
      }
    } catch (IOException e) {
      lost(s, "io: " + e.getClass().getSimpleName());
    } catch (MalformedResponseException e) {
      lost(s, "malformed reply: " + e.getMessage());
    }
  }

  private void runTimers(long nowNanos) {
    while (!timers.isEmpty() && timers.peek().dueNanos <= nowNanos) {
      Subscriber s = timers.poll();
      if (!s.connected()) {
        open(s);
      } else {
        try {
          poll(s);
        } catch (IOException e) {
          lost(s, "io: " + e.getClass().getSimpleName());
        }
      }
    }
  }

  private void open(Subscriber s) {
    s.resetConnection();
    s.attemptStarted(System.nanoTime());
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open();
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (args.sources() > 1) {
        ch.bind(new InetSocketAddress("127.0.0." + (1 + s.index % args.sources()), 0));
      }
      tally.connects.incrementAndGet();
      if (ch.connect(server)) {
        s.attach(ch, ch.register(selector, 0, s));
        poll(s);
      } else {
        s.attach(ch, ch.register(selector, SelectionKey.OP_CONNECT, s));
        s.connectPending = true;
        connecting++;
      }
    } catch (IOException e) {
      tally.error("connect: " + e.getMessage());
      Subscriber.closeQuietly(ch);
      s.closeConnection();
      retryLater(s);
    }
  }

  private void connected(Subscriber s) throws IOException {
    s.connectPending = false;
    connecting--;
    try {
      s.socket().finishConnect();
    } catch (IOException e) {
      tally.error("connect: " + e.getMessage());
      s.closeConnection();
      retryLater(s);
      return;
    }
    poll(s);
  }

  private void retryLater(Subscriber s) {
    if (!args.storm().isEmpty()) {
      backOff(s);
      return;
    }
    s.dueNanos = System.nanoTime() + 100_000_000L;
    timers.add(s);
  }

  /** Storm runs: a failed attempt waits out the JavaScript client's error backoff. */
  private void backOff(Subscriber s) {
    timers.remove(s);
    s.dueNanos = s.failedAt(System.nanoTime());
    timers.add(s);
  }

  private void poll(Subscriber s) throws IOException {
    s.out = s.nextPoll(System.nanoTime());
    s.key().interestOps(SelectionKey.OP_READ);
    flush(s);
  }

  private void flush(Subscriber s) throws IOException {
    s.socket().write(s.out);
    s.key()
        .interestOps(
            s.out.hasRemaining()
                ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
                : SelectionKey.OP_READ);
  }

  private void read(Subscriber s, long now) throws IOException, MalformedResponseException {
    while (true) {
      in.clear();
      int r = s.socket().read(in);
      if (r < 0) {
        boolean wasPolling = s.polling;
        boolean cut = s.eof();
        if (wasPolling && !cut && !s.polling) {
          replyDone(s); // a body that runs to the end of the connection
        } else if (!wasPolling) {
          // An idle kept-alive connection closed by the server: the next poll opens another.
          s.closeConnection();
        } else {
          lost(s, cut ? "eof inside a reply" : "eof before a reply");
        }
        return;
      }
      if (r == 0) {
        return;
      }
      s.read(in.array(), 0, r, now);
      if (s.out.hasRemaining() && s.connected()) {
        flush(s); // a WebSocket's subscribe, pong or close frame
      }
      if (!s.polling) {
        // The reply ended. A reused connection must be quiet until the next poll is written.
        if (s.closeAnnounced || !args.keepAlive()) {
          s.closeConnection();
        }
        schedule(s);
        return;
      }
    }
  }

  /** An announced close: the reply ended with the connection (body read until close). */
  private void replyDone(Subscriber s) {
    s.closeConnection();
    schedule(s);
  }

  private void schedule(Subscriber s) {
    s.dueNanos = s.nextPollAt(System.nanoTime());
    if (!s.connected() || s.dueNanos > System.nanoTime()) {
      timers.add(s);
      if (s.connected()) {
        s.key().interestOps(SelectionKey.OP_READ);
      }
      return;
    }
    try {
      poll(s);
    } catch (IOException e) {
      lost(s, "io: " + e.getClass().getSimpleName());
    }
  }

  private void lost(Subscriber s, String why) {
    if (stop) {
      return;
    }
    tally.error(why);
    tally.reconnects++;
    if (s.connectPending) {
      s.connectPending = false;
      connecting--;
    }
    s.closeConnection();
    if (!args.storm().isEmpty()) {
      backOff(s);
      return;
    }
    timers.remove(s);
    toOpen.add(s);
  }
}
