// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The MessageBus for Java authors; see LICENSE.
package org.messagebus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.messagebus.MessageBus;
import org.messagebus.servlet.HttpTransportOptions;
import org.messagebus.servlet.MessageBusServer;

/**
 * Clients that do not read: a stream whose reader stopped (a frozen tab, a client that vanished
 * without a FIN, a socket whose window is full) must neither block publishers nor other clients,
 * nor make the server keep an unbounded queue of bytes for it. The server cuts such a stream off;
 * the client then re-polls from the last message it received and loses nothing.
 */
class SlowClientsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Long enough that only the server's own cut-off, not the end of the hold, can end a stream. */
  private static final Duration HOLD = Duration.ofSeconds(60);

  private static final int MESSAGE_BYTES = 16 * 1024;

  /**
   * The most a client that stopped reading can still receive when the server keeps nothing beyond
   * its cap: the stream's {@code maxUnsentBytes} (256 KiB by default), what the kernel holds in the
   * server socket's send buffer (at most {@code tcp_wmem}'s maximum, autotuned) and in the client's
   * 4 KiB receive buffer, plus one message in flight. The flood is twice that, so a server that
   * kept everything for the stalled client fails the test whatever the kernel's buffers do.
   */
  private static final long MOST_A_STALLED_CLIENT_CAN_GET =
      256 * 1024 + kernelSendBufferMax() + 4096 + 2L * MESSAGE_BYTES;

  private static final int MESSAGES = (int) (2 * MOST_A_STALLED_CLIENT_CAN_GET / MESSAGE_BYTES) + 1;

  /** The largest send buffer Linux autotunes a TCP socket to; 4 MiB (its default) elsewhere. */
  private static long kernelSendBufferMax() {
    try {
      String[] wmem =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/tcp_wmem"))
              .trim()
              .split("\\s+");
      return Long.parseLong(wmem[2]);
    } catch (IOException | RuntimeException e) {
      return 4L * 1024 * 1024;
    }
  }

  private MessageBus bus;
  private MessageBusServer server;

  private void start(MessageBusServer.Adapter adapter) {
    bus = MessageBus.builder().keepaliveInterval(Duration.ZERO).build();
    server =
        MessageBusServer.builder(bus)
            .port(0)
            .adapter(adapter)
            .httpOptions(
                HttpTransportOptions.builder()
                    .longPollingInterval(HOLD)
                    .longPollingMinHold(HOLD)
                    .build())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (bus != null) {
      bus.close();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = MessageBusServer.Adapter.class,
      names = {"SERVLET", "JETTY_CORE"})
  void streamsThatDoNotRead_areCutOff_withoutBlockingAnyone_andResumeWithoutLoss(
      MessageBusServer.Adapter adapter) throws Exception {
    start(adapter);
    String channel = "/flood/" + UUID.randomUUID();
    long start = bus.publish(channel, "start");
    List<Socket> stalled = new ArrayList<>();
    try (Bystander bystander = new Bystander(server.port())) {
      for (int i = 0; i < 5; i++) {
        stalled.add(stalledStream(channel, start));
      }

      String big = "x".repeat(MESSAGE_BYTES);
      CompletableFuture<Void> publishing =
          CompletableFuture.runAsync(
              () -> IntStream.range(0, MESSAGES).forEach(i -> bus.publish(channel, i + ":" + big)));
      // twice what a stalled stream may get (~8.6 MB): publishing never waits for them
      publishing.get(30, TimeUnit.SECONDS);

      bus.publish(bystander.channel, "still served");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> bystander.received().contains("still served"));
      assertThat(bystander.failures()).isEmpty();

      for (Socket socket : stalled) {
        Drained drained = drain(socket);
        assertThat(drained.endedByServer)
            .as("the server ended the stream it could not write (%s bytes read)", drained.bytes)
            .isTrue();
        assertThat(drained.bytes)
            .as("bytes the server kept for a client that did not read")
            .isLessThanOrEqualTo(MOST_A_STALLED_CLIENT_CAN_GET);

        // the client comes back from the last message it got, and gets the rest, once
        List<Integer> got = new ArrayList<>(drained.indexes);
        long position = drained.lastId < 0 ? start : drained.lastId;
        got.addAll(catchUp(channel, position));
        assertThat(got).containsExactlyElementsOf(IntStream.range(0, MESSAGES).boxed().toList());
      }
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  /** Opens a streaming poll with a tiny receive window, reads its response head, then stops. */
  private Socket stalledStream(String channel, long position) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
    socket.setSoTimeout(10_000);
    byte[] body = (channel + "=" + position).getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /message-bus/"
                + UUID.randomUUID().toString().replace("-", "")
                + "/poll HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    // the head arrives when the server holds the stream
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("response head").isNotNegative();
      head.write(b);
    }
    assertThat(head.toString(StandardCharsets.ISO_8859_1))
        .startsWith("HTTP/1.1 200")
        .contains("chunked");
    return socket;
  }

  private record Drained(boolean endedByServer, long bytes, List<Integer> indexes, long lastId) {}

  /**
   * Reads what the server still sends, until it closes the connection or sends nothing more for a
   * while, and parses the complete messages out of the chunked stream.
   */
  private static Drained drain(Socket socket) throws IOException {
    socket.setSoTimeout(15_000);
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    boolean ended = false;
    byte[] buf = new byte[65536];
    try {
      InputStream in = socket.getInputStream();
      for (int n; ; ) {
        n = in.read(buf);
        if (n < 0) {
          ended = true;
          break;
        }
        raw.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // still open, with nothing more to send: not ended
    } catch (IOException e) {
      ended = true; // reset
    }
    List<Integer> indexes = new ArrayList<>();
    long lastId = -1;
    String text = dechunk(raw.toByteArray());
    for (String piece : text.split("\r\n\\|\r\n")) {
      if (piece.isBlank()) {
        continue;
      }
      List<Map<String, Object>> messages;
      try {
        messages = JSON.readValue(piece, new TypeReference<>() {});
      } catch (IOException incomplete) {
        break; // the piece the cut-off truncated
      }
      for (Map<String, Object> m : messages) {
        String data = String.valueOf(m.get("data"));
        if (!"/__status".equals(m.get("channel")) && data.contains(":")) {
          indexes.add(Integer.valueOf(data.substring(0, data.indexOf(':'))));
          lastId = ((Number) m.get("message_id")).longValue();
        }
      }
    }
    return new Drained(ended, raw.size(), indexes, lastId);
  }

  /** The body of a chunked transfer, up to where the bytes stop. */
  private static String dechunk(byte[] bytes) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int i = 0;
    while (i < bytes.length) {
      int eol = indexOf(bytes, i);
      if (eol < 0) {
        break;
      }
      int size =
          Integer.parseInt(new String(bytes, i, eol - i, StandardCharsets.US_ASCII).trim(), 16);
      int from = eol + 2;
      int to = Math.min(bytes.length, from + size);
      body.write(bytes, from, to - from);
      if (size == 0 || to < from + size) {
        break;
      }
      i = to + 2;
    }
    return body.toString(StandardCharsets.UTF_8);
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Non-streaming polls from {@code position} until the channel's messages are all read. */
  private List<Integer> catchUp(String channel, long position) throws Exception {
    List<Integer> got = new ArrayList<>();
    long at = position;
    while (true) {
      byte[] body = (channel + "=" + at).getBytes(StandardCharsets.UTF_8);
      byte[] request =
          ("POST /message-bus/"
                  + UUID.randomUUID().toString().replace("-", "")
                  + "/poll?dlp=t HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\nConnection: close\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n"
                  + new String(body, StandardCharsets.UTF_8))
              .getBytes(StandardCharsets.UTF_8);
      RawHttp.Exchange exchange =
          RawHttp.answer(server.port(), request, false, Duration.ofSeconds(10));
      RawHttp.Response response = exchange.responses().get(0);
      assertThat(response.status()).isEqualTo(200);
      List<Map<String, Object>> messages =
          JSON.readValue(response.bodyText(), new TypeReference<>() {});
      boolean any = false;
      for (Map<String, Object> m : messages) {
        String data = String.valueOf(m.get("data"));
        if (channel.equals(m.get("channel")) && data.contains(":")) {
          got.add(Integer.valueOf(data.substring(0, data.indexOf(':'))));
          at = ((Number) m.get("message_id")).longValue();
          any = true;
        }
      }
      if (!any) {
        return got;
      }
    }
  }
}
