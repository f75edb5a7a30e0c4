// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishing over HTTP: N keep-alive connections, each sending {@code POST /message-bus/broadcast}
 * (a form body with {@code channel} and {@code data}) and waiting for the answer before the next,
 * for a number of seconds after a warm-up. Prints the rate of {@code 200} answers and, from the
 * load server's {@code /control/stats}, the heap bytes the server allocated per answer in the
 * measured window ({@code serverAllocatedPerAnswerBytes}, -1 if the server has no such route). The
 * server must allow the route ({@code LoadServer} with {@code -DallowBroadcast=true}). Answers are
 * read through a buffer, so the client spends one read per answer rather than one per byte.
 *
 * <pre>
 * java -cp benchmarks.jar org.messagebus.benchmarks.load.BroadcastClient PORT [CONNECTIONS=8]
 *   [SECONDS=10] [WARMUP_SECONDS=5]
 * </pre>
 */
public final class BroadcastClient {

  private BroadcastClient() {}

  /**
   * Runs the client.
   *
   * @param args port, connections, seconds, warm-up seconds
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int connections = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    byte[] body =
        "channel=%2Fbroadcast&data=hello+world+0123456789".getBytes(StandardCharsets.US_ASCII);
    byte[] request =
        ("POST /message-bus/broadcast HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                + body.length
                + "\r\n\r\n"
                + new String(body, StandardCharsets.US_ASCII))
            .getBytes(StandardCharsets.US_ASCII);
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder ok = new LongAdder();
    LongAdder failed = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      Thread t =
          new Thread(
              () -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                  s.setTcpNoDelay(true);
                  OutputStream out = s.getOutputStream();
                  InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
                  byte[] buf = new byte[8192];
                  while (!stop.get()) {
                    out.write(request);
                    out.flush();
                    if (readResponse(in, buf)) {
                      ok.increment();
                    } else {
                      failed.increment();
                    }
                  }
                } catch (IOException e) {
                  failed.increment();
                }
              });
      threads.add(t);
      t.start();
    }
    ControlClient control = new ControlClient("127.0.0.1", port);
    Thread.sleep(warmup * 1000L);
    long ok0 = ok.sum();
    long allocated0 = allocatedBytes(control);
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long done = ok.sum() - ok0;
    long allocated1 = allocatedBytes(control);
    double elapsed = (System.nanoTime() - start) / 1e9;
    long perAnswer =
        allocated0 < 0 || allocated1 < 0 || done == 0 ? -1 : (allocated1 - allocated0) / done;
    stop.set(true);
    for (Thread t : threads) {
      t.join(10_000);
    }
    System.out.printf(
        Locale.ROOT,
        "{\"connections\":%d,\"seconds\":%.1f,\"ok\":%d,\"failed\":%d,\"perSecond\":%.0f,"
            + "\"serverAllocatedPerAnswerBytes\":%d}%n",
        connections,
        elapsed,
        done,
        failed.sum(),
        done / elapsed,
        perAnswer);
  }

  /** The load server's allocated bytes so far, or -1 if it cannot say. */
  private static long allocatedBytes(ControlClient control) throws InterruptedException {
    try {
      return control.stats(false).allocatedBytes();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Reads one response with a Content-Length body; true if its status was 200. */
  private static boolean readResponse(InputStream in, byte[] buf) throws IOException {
    StringBuilder head = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      head.append((char) b);
      if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
        break;
      }
    }
    String h = head.toString().toLowerCase(Locale.ROOT);
    int i = h.indexOf("content-length:");
    int length = 0;
    if (i >= 0) {
      length = Integer.parseInt(h.substring(i + 15, h.indexOf('\r', i)).trim());
    }
    while (length > 0) {
      int n = in.read(buf, 0, Math.min(buf.length, length));
      if (n < 0) {
        throw new IOException("connection closed in a body");
      }
      length -= n;
    }
    return h.startsWith("http/1.1 200");
  }
}
