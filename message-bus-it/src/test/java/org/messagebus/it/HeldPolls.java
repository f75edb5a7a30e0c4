// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many long-polling web clients on one thread: each has its own client id and TCP connection, polls
 * one channel with {@code Dont-Chunk} (a held poll answered with one complete reply), keeps its
 * position as the JavaScript client does (a message's id, then a {@code /__status} entry in the
 * order of the reply) and polls again at once after a reply. A refused poll (503 during an outage,
 * 429) or a lost connection is retried after {@link #RETRY_NANOS}, from the position it holds, on a
 * new connection if the old one is gone. It never de-duplicates: every message number it receives
 * is counted, so a lost or repeated delivery shows in {@link #report}.
 *
 * <p>The messages' data must be the numbers 1..{@code count}. One selector thread serves every
 * client, so a thousand held polls cost a thousand sockets and no threads.
 */
final class HeldPolls implements AutoCloseable {

  static final long RETRY_NANOS = 300_000_000L;
  private static final int MAX_CONNECTING = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InetSocketAddress server;
  private final String channel;
  private final String channelKey;
  private final int count;
  private final Client[] clients;
  private final Selector selector;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile Throwable crash;

  /** First receipts of a message, over every client. */
  final AtomicLong delivered = new AtomicLong();

  /** Polls answered with 200 whose client has a known position (started). */
  final AtomicLong ready = new AtomicLong();

  /** Replies with a status other than 200, by status. */
  private final Map<Integer, Long> refused = new TreeMap<>();

  private long reconnects;
  private long repeats;
  private final Map<String, Integer> repeated = new TreeMap<>();
  private final BitSet repeatedNumbers = new BitSet();
  private long outOfOrder;
  private long unexpected;

  HeldPolls(int port, String channel, int clients, int count) throws IOException {
    this.server = new InetSocketAddress("127.0.0.1", port);
    this.channel = channel;
    this.channelKey = URLEncoder.encode(channel, StandardCharsets.UTF_8);
    this.count = count;
    this.clients = new Client[clients];
    for (int i = 0; i < clients; i++) {
      this.clients[i] = new Client("held-" + i + "-" + Long.toHexString(System.nanoTime()));
    }
    this.selector = Selector.open();
    this.thread = new Thread(this::loop, "held-polls");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** One web client. */
  private final class Client {
    final String id;
    final BitSet seen = new BitSet(count + 1);
    final long[] idOf = new long[count + 1];
    long position;
    int seq;
    long last;
    boolean started;
    SocketChannel socket;
    ByteBuffer out;
    final ByteArrayOutputStream in = new ByteArrayOutputStream();
    long pollAt;
    boolean awaitingReply;

    Client(String id) {
      this.id = id;
    }
  }

  private void loop() {
    try {
      while (running) {
        long now = System.nanoTime();
        long next = now + 100_000_000L;
        int connecting = 0;
        for (Client c : clients) {
          if (c.socket != null && !c.socket.isConnected()) {
            connecting++;
          }
        }
        for (Client c : clients) {
          if (c.awaitingReply) {
            continue;
          }
          if (c.pollAt <= now) {
            if (c.socket == null) {
              if (connecting >= MAX_CONNECTING) {
                continue;
              }
              connecting++;
              connect(c);
            } else if (c.socket.isConnected()) {
              send(c);
            }
          } else {
            next = Math.min(next, c.pollAt);
          }
        }
        selector.select(Math.max(1, (next - System.nanoTime()) / 1_000_000L));
        for (SelectionKey key : selector.selectedKeys()) {
          Client c = (Client) key.attachment();
          try {
            if (key.isValid() && key.isConnectable()) {
              c.socket.finishConnect();
              key.interestOps(SelectionKey.OP_READ);
              send(c);
            }
            if (key.isValid() && key.isWritable()) {
              flush(c);
            }
            if (key.isValid() && key.isReadable()) {
              read(c);
            }
          } catch (IOException e) {
            lost(c);
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (Throwable t) {
      crash = t;
    } finally {
      for (Client c : clients) {
        closeSocket(c);
      }
      try {
        selector.close();
      } catch (IOException e) {
        // closing
      }
    }
  }

  private void connect(Client c) throws IOException {
    SocketChannel s = SocketChannel.open();
    s.configureBlocking(false);
    c.socket = s;
    c.in.reset();
    try {
      if (s.connect(server)) {
        s.register(selector, SelectionKey.OP_READ, c);
        send(c);
      } else {
        s.register(selector, SelectionKey.OP_CONNECT, c);
      }
    } catch (IOException e) {
      lost(c);
    }
  }

  private void send(Client c) throws IOException {
    byte[] body =
        (channelKey + "=" + c.position + "&__seq=" + (++c.seq)).getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /message-bus/"
            + c.id
            + "/poll HTTP/1.1\r\nHost: 127.0.0.1:"
            + server.getPort()
            + "\r\nDont-Chunk: true\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n\r\n";
    ByteBuffer b = ByteBuffer.allocate(head.length() + body.length);
    b.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
    c.out = b;
    c.awaitingReply = true;
    c.in.reset();
    try {
      flush(c);
    } catch (IOException e) {
      lost(c);
    }
  }

  private void flush(Client c) throws IOException {
    c.socket.write(c.out);
    SelectionKey key = c.socket.keyFor(selector);
    key.interestOps(
        c.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
  }

  private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);

  private void read(Client c) throws IOException {
    readBuffer.clear();
    int n = c.socket.read(readBuffer);
    if (n < 0) {
      lost(c);
      return;
    }
    c.in.write(readBuffer.array(), 0, n);
    byte[] bytes = c.in.toByteArray();
    int headEnd = RawHttp.indexOf(bytes, 0, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    if (headEnd < 0) {
      return;
    }
    String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
    int length = -1;
    boolean close = false;
    String[] lines = head.split("\r\n", -1);
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].toLowerCase(Locale.ROOT);
      if (line.startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      } else if (line.startsWith("connection:") && line.contains("close")) {
        close = true;
      } else if (line.startsWith("transfer-encoding:")) {
        throw new IllegalStateException("a Dont-Chunk reply came chunked: " + head);
      }
    }
    if (length < 0) {
      throw new IllegalStateException("a reply without Content-Length: " + head);
    }
    if (bytes.length < headEnd + 4 + length) {
      return;
    }
    int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
    c.awaitingReply = false;
    c.in.reset();
    if (status == 200) {
      apply(c, JSON.readTree(bytes, headEnd + 4, length));
      c.pollAt = 0;
    } else {
      synchronized (refused) {
        refused.merge(status, 1L, Long::sum);
      }
      c.pollAt = System.nanoTime() + RETRY_NANOS;
    }
    if (close) {
      closeSocket(c);
    }
  }

  private void apply(Client c, JsonNode reply) {
    for (JsonNode m : reply) {
      String ch = m.path("channel").asText();
      if (ch.equals(channel)) {
        c.position = m.path("message_id").asLong();
        long n = m.path("data").asLong(-1);
        if (n < 1 || n > count) {
          unexpected++;
        } else if (c.seen.get((int) n)) {
          repeats++;
          repeatedNumbers.set((int) n);
          repeated.merge(
              n + " (ids " + c.idOf[(int) n] + " and " + c.position + ")", 1, Integer::sum);
        } else {
          c.seen.set((int) n);
          c.idOf[(int) n] = c.position;
          delivered.incrementAndGet();
          if (n < c.last) {
            outOfOrder++;
          }
          c.last = n;
        }
      } else if (ch.equals("/__status")) {
        JsonNode p = m.path("data").path(channel);
        if (p.isNumber()) {
          c.position = p.asLong();
        }
      } else {
        unexpected++;
      }
    }
    if (!c.started) {
      c.started = true;
      ready.incrementAndGet();
    }
  }

  private void lost(Client c) {
    reconnects++;
    closeSocket(c);
    c.awaitingReply = false;
    c.pollAt = System.nanoTime() + RETRY_NANOS;
  }

  private void closeSocket(Client c) {
    if (c.socket != null) {
      try {
        c.socket.close();
      } catch (IOException e) {
        // closing
      }
      c.socket = null;
    }
  }

  /** What every client received; read it after {@link #close()}. */
  record Report(
      int clients,
      long complete,
      List<String> incomplete,
      long repeats,
      long outOfOrder,
      long unexpected,
      long reconnects,
      Map<Integer, Long> refused,
      List<BitSet> received,
      Map<String, Integer> repeated,
      BitSet repeatedNumbers) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d clients, %d with every message, incomplete %s, repeats %d %s, out of order %d,"
              + " unexpected %d, reconnects %d, refused polls by status %s",
          clients,
          complete,
          incomplete,
          repeats,
          repeated,
          outOfOrder,
          unexpected,
          reconnects,
          refused);
    }
  }

  /** The message numbers each client received; read them after {@link #close()}. */
  List<BitSet> received() {
    List<BitSet> all = new ArrayList<>();
    for (Client c : clients) {
      all.add((BitSet) c.seen.clone());
    }
    return all;
  }

  /** Stops every client and tells what they received. */
  Report report() {
    close();
    if (crash != null) {
      throw new IllegalStateException("the polling thread failed", crash);
    }
    long complete = 0;
    List<String> incomplete = new ArrayList<>();
    for (Client c : clients) {
      if (c.seen.cardinality() == count) {
        complete++;
      } else if (incomplete.size() < 5) {
        BitSet missing = new BitSet();
        missing.set(1, count + 1);
        missing.andNot(c.seen);
        incomplete.add(c.id + " misses " + missing);
      }
    }
    synchronized (refused) {
      return new Report(
          clients.length,
          complete,
          incomplete,
          repeats,
          outOfOrder,
          unexpected,
          reconnects,
          new TreeMap<>(refused),
          received(),
          new TreeMap<>(repeated),
          (BitSet) repeatedNumbers.clone());
    }
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
